using System.Text.Json;
using NapGeo.Database;
using NapGeo.Layers;
using Npgsql;

namespace NapGeo.Demo;

/// <summary>
/// Loads the demo GeoJSON in <c>data/</c> through the same validation as the API, once per database (demo_loads):
/// demo features deleted since stay deleted. Features carry fixed ids and are inserted with ON CONFLICT DO NOTHING,
/// so a load cut short is finished by the next, and loading <c>again</c> restores only what is missing.
/// </summary>
public sealed class DemoLoader(NpgsqlDataSource db, FeatureInput input, LayerStore store)
{
    public const string Actor = "tool:demo-load";

    /// <summary>When the demo was first loaded into this database, or null.</summary>
    public async Task<DateTime?> LoadedAtAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT min(loaded_at) FROM demo_loads");
        return await cmd.ExecuteScalarAsync(ct) as DateTime?;
    }

    /// <summary>The layers read; empty when the folder has none of the files. Skips nothing: see <see cref="LoadedAtAsync"/>.</summary>
    public async Task<IReadOnlyList<(string Layer, int Read, int Inserted)>> LoadAsync(string directory, TextWriter log, CancellationToken ct)
    {
        var results = new List<(string Layer, int Read, int Inserted)>();
        foreach (var layer in LayerCatalog.All) // sites first: hotspots and samples refer to them
        {
            var path = Path.Combine(directory, layer.Name + ".geojson");
            if (!File.Exists(path)) continue;
            var (read, inserted) = await LoadFileAsync(layer, path, ct);
            log.WriteLine($"demo: {layer.Name}: {read} features read, {inserted} new");
            results.Add((layer.Name, read, inserted));
        }
        if (results.Count > 0)
        {
            await using var mark = db.CreateCommand("INSERT INTO demo_loads (inserted) VALUES ($1)");
            mark.Parameters.Add(new() { Value = results.Sum(r => r.Inserted) });
            await mark.ExecuteNonQueryAsync(ct);
        }
        return results;
    }

    private async Task<(int Read, int Inserted)> LoadFileAsync(LayerDefinition layer, string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(file, cancellationToken: ct);
        var sql = store.Sql(layer);

        await using var tx = await WriteTransaction.BeginAsync(db, Actor, ct);
        var read = 0;
        var inserted = 0;
        foreach (var feature in document.RootElement.GetProperty("features").EnumerateArray())
        {
            read++;
            var errors = new ValidationErrors();
            var draft = await input.ReadAsync(feature, layer, null, null, repair: false, errors, ct);
            if (draft is null)
                throw new InvalidDataException($"{path}: feature {read} is invalid: " +
                    string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
            await using var cmd = tx.Command(sql.InsertWithIdIfNew);
            LayerStore.AddValues(cmd, sql, draft);
            cmd.Parameters.Add(new() { Value = Guid.Parse(feature.GetProperty("id").GetString()!) });
            inserted += await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return (read, inserted);
    }
}
