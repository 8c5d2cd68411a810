using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Assessment;

/// <summary>
/// Guideline set writes left no trace (who removed a national set, and its values, were lost) and had no ETag: two
/// admins editing one set overwrote each other without knowing. Own database: each change re-assesses every sample.
/// </summary>
public sealed class GuidelineSetHistoryTests(NapGeoServer server) : IClassFixture<NapGeoServer>
{
    private static JsonObject TogoSet(double waterValue) => new()
    {
        ["name"] = "Togo national standards (test)",
        ["guidelines"] = new JsonArray(new JsonObject
        {
            ["id"] = "tgo-water", ["matrix"] = "water", ["value"] = waterValue, ["unit"] = "µg/L",
            ["name"] = "Drinking water", ["source"] = "Test standard, 2024",
        }),
    };

    private static async Task<HttpResponseMessage> WriteAsync(HttpClient admin, HttpMethod method, JsonObject? body, string header, string value)
    {
        var request = new HttpRequestMessage(method, "/api/guidelines/TGO") { Content = body is null ? null : Body(body, "application/json") };
        request.Headers.TryAddWithoutValidation(header, value);
        return await admin.SendAsync(request);
    }

    [Fact]
    public async Task Writes_are_conditional_on_the_sets_etag_and_every_one_is_in_its_history()
    {
        var admin = server.Client(server.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(admin, HttpMethod.Put, TogoSet(6), "If-None-Match", "*")).StatusCode);
        // Create-only a second time: the set exists now.
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await WriteAsync(admin, HttpMethod.Put, TogoSet(7), "If-None-Match", "*")).StatusCode);

        var get = await admin.GetAsync("/api/guidelines/TGO");
        Assert.Equal("\"v1\"", get.Headers.ETag!.Tag);
        var revalidated = new HttpRequestMessage(HttpMethod.Get, "/api/guidelines/TGO");
        revalidated.Headers.TryAddWithoutValidation("If-None-Match", "\"v1\"");
        Assert.Equal(HttpStatusCode.NotModified, (await admin.SendAsync(revalidated)).StatusCode);

        // The first admin's change lands; the second, made from the same read, is refused and names the version to read.
        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(admin, HttpMethod.Put, TogoSet(2), "If-Match", "\"v1\"")).StatusCode);
        var late = await WriteAsync(admin, HttpMethod.Put, TogoSet(4), "If-Match", "\"v1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, late.StatusCode);
        Assert.Contains("\\\"v2\\\"", await late.Content.ReadAsStringAsync());
        Assert.Equal(2, (await (await admin.GetAsync("/api/guidelines/TGO")).JsonAsync())["version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, (await WriteAsync(admin, HttpMethod.Delete, null, "If-Match", "v2")).StatusCode); // no quotes
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await WriteAsync(admin, HttpMethod.Delete, null, "If-Match", "\"v1\"")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(admin, HttpMethod.Delete, null, "If-Match", "\"v2\"")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/guidelines/TGO")).StatusCode);

        // The history outlives the set: who, what, and the values before and after, newest first; refused writes left none.
        var history = JsonNode.Parse(await admin.GetStringAsync("/api/guidelines/tgo/history"))!.AsArray();
        Assert.Equal(["delete", "update", "insert"], history.Select(h => h!["action"]!.GetValue<string>()));
        Assert.All(history, h => Assert.Contains("Test admin", h!["actor"]!.GetValue<string>()));
        double Water(JsonNode? set) => set!["guidelines"]![0]!["value"]!.GetValue<double>();
        Assert.Equal(2, Water(history[0]!["before"]));
        Assert.Null(history[0]!["after"]);
        Assert.Equal((6.0, 2.0), (Water(history[1]!["before"]), Water(history[1]!["after"])));
        Assert.Null(history[2]!["before"]);
        Assert.Equal(1, history[2]!["after"]!["version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/guidelines/CIV/history")).StatusCode);

        // Made again, the set goes on from its history: "v1" again would let a copy of the removed set pass If-Match.
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await WriteAsync(admin, HttpMethod.Put, TogoSet(9), "If-Match", "\"v1\"")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WriteAsync(admin, HttpMethod.Put, TogoSet(9), "If-None-Match", "*")).StatusCode);
        Assert.Equal("\"v3\"", (await admin.GetAsync("/api/guidelines/TGO")).Headers.ETag!.Tag);
    }

    [Fact]
    public async Task The_default_set_seeded_from_the_csv_has_its_history_too()
    {
        var history = JsonNode.Parse(await server.Client().GetStringAsync("/api/guidelines/default/history"))!.AsArray();
        var seeded = history.Last()!;
        Assert.Equal("system:guidelines.csv", seeded["actor"]!.GetValue<string>());
        Assert.True(seeded["after"]!["guidelines"]!.AsArray().Count > 10);
    }
}
