// Reads one tile from a PMTiles archive with the reference reader (npm package "pmtiles") and writes its
// (decompressed) bytes to a file; prints the header and metadata as JSON. Usage: node read-pmtiles.mjs archive z x y out
import { open, writeFile } from 'node:fs/promises';
import { PMTiles } from 'pmtiles';

const [archive, z, x, y, out] = process.argv.slice(2);
const file = await open(archive, 'r');
const source = {
  getKey: () => archive,
  getBytes: async (offset, length) => {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, offset);
    return { data: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + bytesRead) };
  },
};
const pmtiles = new PMTiles(source);
const header = await pmtiles.getHeader();
const metadata = await pmtiles.getMetadata();
const tile = await pmtiles.getZxy(Number(z), Number(x), Number(y));
if (tile) await writeFile(out, new Uint8Array(tile.data));
await file.close();
console.log(JSON.stringify({ header, metadata, found: Boolean(tile) }));
