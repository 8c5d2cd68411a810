using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace NapGeo.Tests.Uploads;

/// <summary>Test files made by real tools (ogr2ogr, MiniExcel, System.IO.Compression) and the multipart upload helper.</summary>
public static class UploadFiles
{
    // One folder for the run, removed when it ends: a folder per test was left behind in /tmp, thirty a run.
    private static readonly Lazy<string> Root = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("napgeo-upload-test-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(root, recursive: true); } catch (IOException) { } };
        return root;
    });

    /// <summary>A new empty folder for one test's files.</summary>
    public static string Folder() => Directory.CreateDirectory(Path.Combine(Root.Value, Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Two soil/sediment samples near (-1.95, 5.31) as a GeoJSON FeatureCollection.</summary>
    public static string SamplesGeoJson(string folder, string prefix)
    {
        var path = Path.Combine(folder, "samples.geojson");
        File.WriteAllText(path, $$$"""
            {"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.95,5.31]},"properties":{"sample_id":"{{{prefix}}}-1","matrix":"soil","value":1.5,"unit":"mg/kg","date":"2024-05-02"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[-1.96,5.32]},"properties":{"sample_id":"{{{prefix}}}-2","matrix":"Sédiment","value":400,"unit":"ppb","date":"2024-05-03"}}]}
            """);
        return path;
    }

    public static void Ogr2Ogr(params string[] args)
    {
        var start = new ProcessStartInfo("ogr2ogr") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ogr2ogr {string.Join(' ', args)}: {error}");
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] file, string fileName, params (string Name, string Value)[] fields)
    {
        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields) content.Add(new StringContent(value), name);
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(part, "file", fileName);
        return await client.PostAsync("/api/uploads", content);
    }

    /// <summary>Uploads <paramref name="file"/> into samples (fields may add target=, mode=, …) and reads the answer.</summary>
    public static async Task<(System.Net.HttpStatusCode Status, JsonObject Body)> UploadSamplesAsync(
        HttpClient client, byte[] file, string fileName, params (string Name, string Value)[] fields)
    {
        var response = await PostAsync(client, file, fileName, [("target", "samples"), .. fields]);
        return (response.StatusCode, await Infrastructure.Features.JsonAsync(response));
    }

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, params (string Name, string Value)[] fields) =>
        PostAsync(client, File.ReadAllBytes(path), Path.GetFileName(path), fields);

    /// <summary>The issues of a report as "row|column|value|field|reason" lines, for exact comparison.</summary>
    public static string[] Lines(JsonObject upload, string list) =>
        upload[list]!.AsArray().Select(i => $"{i!["row"]}|{i["column"]}|{i["value"]}|{i["field"]}|{i["reason"]}").ToArray();
}
