using System.Collections.Concurrent;
using System.Text.Json;

namespace NapGeo.Tiles;

/// <summary>
/// Renders a tile source over a zoom range and area into a PMTiles (or, by the file name, MBTiles) archive, for field teams without internet and
/// for static hosting. Tiles are the exact bytes the server serves. A tile is only rendered if its parent had
/// features (a tile's area, buffer included, lies inside its parent's), so deep zooms cost what the data covers, not the whole box.
/// </summary>
public static class TileExport
{
    public sealed record Request(ITileSource Source, int MinZoom, int MaxZoom, LonLatBox? Bounds, string Output, int Parallelism = 4);

    public sealed record Result(int Tiles, long Bytes, LonLatBox Bounds);

    public static async Task<Result> RunAsync(Request request, TileService service, TextWriter progress, CancellationToken ct)
    {
        var bounds = request.Bounds ?? await request.Source.BoundsAsync(ct)
            ?? throw new InvalidOperationException($"{request.Source.Id} has no data and no --bbox was given.");
        using ITileArchive writer = request.Output.EndsWith(".mbtiles", StringComparison.OrdinalIgnoreCase) ? new MbTilesWriter() : new PmTilesWriter();
        var bar = new ProgressBar(progress);
        HashSet<TileAddress>? parents = null;
        for (var z = 0; z <= request.MaxZoom; z++)
        {
            // Clusters have no edge buffer and single features do: at the first zoom of single features a point just
            // across an empty parent's edge lies in its child's buffer, so the children of the parents' neighbours are tried too.
            var candidates = parents is null
                ? TileMath.Cover(bounds, z).ToList()
                : (z == service.Options.ClusterBelowZoom ? parents.SelectMany(Neighbourhood).ToHashSet() : parents)
                    .SelectMany(Children).Where(t => Touches(t, bounds)).ToList();
            var nonEmpty = new ConcurrentBag<TileAddress>();
            var done = 0;
            await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = request.Parallelism, CancellationToken = ct }, async (tile, token) =>
            {
                var data = await request.Source.RenderAsync(tile, TileFilter.None, token);
                if (data.Length > 0)
                {
                    nonEmpty.Add(tile);
                    if (z >= request.MinZoom) writer.Add(tile, data);
                }
                bar.Report(z, Interlocked.Increment(ref done), candidates.Count, writer.Count);
            });
            bar.Report(z, candidates.Count, candidates.Count, writer.Count, final: true);
            parents = nonEmpty.ToHashSet();
            if (parents.Count == 0) break;
        }

        var layers = JsonSerializer.SerializeToElement(request.Source.Layers.Select(l =>
            new { id = l.Id, description = l.Description, fields = l.Fields, minzoom = request.MinZoom, maxzoom = request.MaxZoom }));
        var directory = Path.GetDirectoryName(Path.GetFullPath(request.Output));
        if (directory is not null) Directory.CreateDirectory(directory);
        var temporary = request.Output + ".partial";
        writer.Finish(temporary, new TileArchiveMetadata(request.Source.Id, request.Source.Title, service.Options.Attribution, layers,
            request.MinZoom, request.MaxZoom, bounds, TileMath.FitZoom(bounds, request.MinZoom, request.MaxZoom)));
        File.Move(temporary, request.Output, overwrite: true);
        return new Result(writer.Count, new FileInfo(request.Output).Length, bounds);
    }

    private static IEnumerable<TileAddress> Children(TileAddress t) =>
        [new(t.Z + 1, 2 * t.X, 2 * t.Y), new(t.Z + 1, 2 * t.X + 1, 2 * t.Y), new(t.Z + 1, 2 * t.X, 2 * t.Y + 1), new(t.Z + 1, 2 * t.X + 1, 2 * t.Y + 1)];

    private static IEnumerable<TileAddress> Neighbourhood(TileAddress t)
    {
        for (var x = Math.Max(t.X - 1, 0); x <= Math.Min(t.X + 1, (1 << t.Z) - 1); x++)
            for (var y = Math.Max(t.Y - 1, 0); y <= Math.Min(t.Y + 1, (1 << t.Z) - 1); y++)
                yield return new TileAddress(t.Z, x, y);
    }

    private static bool Touches(TileAddress t, LonLatBox box)
    {
        var b = TileMath.Bounds(t);
        return b.West <= box.East && b.East >= box.West && b.South <= box.North && b.North >= box.South;
    }

    /// <summary>A one-line progress bar, redrawn in place when the output is a terminal and printed per zoom otherwise.</summary>
    private sealed class ProgressBar(TextWriter output)
    {
        private readonly Lock _lock = new();
        private readonly bool _interactive = output == Console.Error && !Console.IsErrorRedirected;
        private long _lastDraw;

        public void Report(int z, int done, int total, int written, bool final = false)
        {
            lock (_lock)
            {
                var now = Environment.TickCount64;
                if (!final && (!_interactive || now - _lastDraw < 100)) return;
                _lastDraw = now;
                const int width = 30;
                var filled = total == 0 ? width : (int)((long)done * width / total);
                var line = $"z{z,-2} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} tiles, {written} written";
                if (_interactive) output.Write("\r" + line + (final ? "\n" : ""));
                else if (final) output.WriteLine(line);
            }
        }
    }
}
