using System.Text.Json.Nodes;
using NapGeo.Tests.Features;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Statistics;

[Collection(ApiCollection.Name)]
public sealed class StatisticsSnapshotTests(NapGeoServer server)
{
    /// <summary>
    /// The areas' samples and the samples linked to no site were read by two queries, each with its own snapshot: a
    /// sample moved into a site's reach between them was counted in both, or in neither. A writer here moves one sample
    /// in and out of reach all the time; every answer must still count each sample once.
    /// </summary>
    [Fact]
    public async Task Every_sample_is_counted_once_while_samples_move_between_sites_and_nowhere()
    {
        var client = server.Editor();
        await client.CreateAsync("sites", Site(lon: -1.9, lat: 5.3));
        var (moving, _, _) = await client.CreateAsync("samples", Sample(-1.9, 5.3, matrix: "sediment"));
        using var stop = new CancellationTokenSource();
        await using var db = server.Database.CreateDataSource();
        var moves = 0;
        var mover = Task.Run(async () =>
        {
            // Far from every site (no link), then back inside the site (linked): the link trigger sets site_id each time.
            await using var move = db.CreateCommand(
                "UPDATE samples SET geom = CASE WHEN site_id IS NULL THEN ST_SetSRID(ST_MakePoint(-1.9, 5.3), 4326) " +
                "ELSE ST_SetSRID(ST_MakePoint(30, 50), 4326) END WHERE id = $1");
            move.Parameters.Add(new() { Value = moving });
            while (!stop.IsCancellationRequested) Interlocked.Add(ref moves, await move.ExecuteNonQueryAsync());
        });
        try
        {
            var total = await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE matrix = 'sediment'");
            // Reads until the sample has moved often while they ran, however busy the machine is.
            var reads = 0;
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while ((reads < 100 || Volatile.Read(ref moves) < 200) && DateTime.UtcNow < deadline)
            {
                var stats = await server.Client().GetJsonAsync("/api/stats?level=country");
                var counted = stats["areas"]!.AsArray().Sum(a => a!["samples_by_matrix"]!["sediment"]!.GetValue<long>()) +
                              stats["samples_without_site_by_matrix"]!["sediment"]!.GetValue<long>();
                Assert.Equal(total, counted);
                reads++;
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
        await mover;
        Assert.True(moves >= 200, $"the sample moved only {moves} times in a minute of reads");
    }
}
