using System.Diagnostics;

namespace NapGeo.Tests.Tiles;

/// <summary>The tiles CLI reads the server's Tiles settings, so what it exports is what the server serves.</summary>
public sealed class TilesCliTests
{
    private static async Task<string> TileSqlAsync(int zoom, string? clusterBelowZoom)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "NapGeo.Api.dll"), "tiles", "sql", "--layer", "samples", "--zoom", zoom.ToString() })
            start.ArgumentList.Add(arg);
        start.Environment.Remove("Tiles__ClusterBelowZoom");
        if (clusterBelowZoom is not null) start.Environment["Tiles__ClusterBelowZoom"] = clusterBelowZoom;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);
        return await output;
    }

    [Fact]
    public async Task The_cluster_zoom_comes_from_the_server_settings()
    {
        // Clustered below zoom 10 by default; with Tiles__ClusterBelowZoom=8, zoom 9 is single points, as the server would serve.
        Assert.Contains("Point clusters", await TileSqlAsync(9, null));
        var configured = await TileSqlAsync(9, "8");
        Assert.DoesNotContain("Point clusters", configured);
        Assert.Contains("One MVT layer of single features", configured);
    }
}
