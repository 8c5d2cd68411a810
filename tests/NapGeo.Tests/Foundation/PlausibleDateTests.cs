using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

/// <summary>
/// Field dates before 1900 or more than a day after today (UTC) are refused, naming the field. Years 1 and 9999 were
/// stored by Npgsql as -infinity and infinity, and profiles then showed "latest_survey":"infinity".
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PlausibleDateTests(NapGeoServer server)
{
    private static string Today(int days = 0) => DateTime.UtcNow.Date.AddDays(days).ToString("yyyy-MM-dd");

    [Theory]
    [InlineData("sites", "survey_date", "0001-01-01", "is before 1900-01-01")]
    [InlineData("sites", "survey_date", "9999-12-31", "is in the future")]
    [InlineData("sites", "survey_date", "1899-12-31", "is before 1900-01-01")]
    [InlineData("samples", "sampled_at", "0001-01-01", "is before 1900-01-01")]
    [InlineData("samples", "sampled_at", "0001-01-01T00:00:00Z", "is before 1900-01-01")]
    [InlineData("samples", "sampled_at", "9999-12-31", "is in the future")]
    [InlineData("samples", "sampled_at", "9999-12-31T23:59:59Z", "is in the future")]
    [InlineData("hotspots", "last_observed", "9999-12-31", "is in the future")]
    [InlineData("hotspots", "first_observed", "0001-01-01", "is before 1900-01-01")]
    public async Task An_implausible_date_is_a_400_naming_the_field_and_nothing_is_stored(string layer, string field, string date, string reason)
    {
        var feature = Feature(layer);
        feature["properties"]![field] = date;
        var response = await server.Editor().SendAsync(HttpMethod.Post, $"/api/{layer}", feature);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.Equal([$"properties.{field}"], errors.Select(e => e.Key));
        Assert.Contains(reason, errors[$"properties.{field}"]![0]!.GetValue<string>());
        Assert.Equal(0L, await server.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM {layer} WHERE {field} IS NOT NULL AND ({field} < '1900-01-01' OR {field} > now() + interval '3 days')"));
    }

    [Fact]
    public async Task The_limits_themselves_are_taken_and_a_patch_to_the_future_is_refused()
    {
        var client = server.Editor();
        foreach (var date in new[] { "1900-01-01", Today(), Today(1) })
        {
            var site = Site();
            site["properties"]!["survey_date"] = date;
            var (id, _, json) = await client.CreateAsync("sites", site);
            Assert.Equal(date, json["properties"]!["survey_date"]!.GetValue<string>());
            Assert.Equal(date, await server.Database.ScalarAsync<string>("SELECT survey_date::text FROM sites WHERE id = $1", id));
        }
        var sample = Sample(-1.95, 5.31);
        sample["properties"]!["sampled_at"] = Today(1) + "T23:00:00Z";
        await client.CreateAsync("samples", sample);

        var (siteId, etag, _) = await client.CreateAsync("sites", Site());
        var patch = new JsonObject { ["properties"] = new JsonObject { ["survey_date"] = Today(2) } };
        var refused = await client.SendAsync(HttpMethod.Patch, $"/api/sites/{siteId}", patch, etag);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("is in the future", (await refused.JsonAsync())["errors"]!["properties.survey_date"]![0]!.GetValue<string>());
        Assert.Equal("2024-03-01", await server.Database.ScalarAsync<string>("SELECT survey_date::text FROM sites WHERE id = $1", siteId));
    }

    /// <summary>Uploads read dates through the same conversion, so a file's year 1 is a row error there too.</summary>
    [Fact]
    public async Task An_upload_row_with_year_one_is_an_error_on_that_row()
    {
        var csv = "sample_id,matrix,lat,lon,value,unit,date\nY1,soil,5.31,-1.95,1,mg/kg,0001-01-01\nY2,soil,5.31,-1.95,1,mg/kg,2024-01-01\n";
        var response = await Uploads.UploadFiles.PostAsync(server.Editor(), Encoding.UTF8.GetBytes(csv), "dates.csv",
            ("target", "samples"), ("campaign", Unique("DATES")), ("mode", "dry-run"));
        var upload = await response.JsonAsync();
        // The row's error, after the dry run's word that a commit (reject-all by default) would store nothing.
        var errors = Uploads.UploadFiles.Lines(upload, "errors").ToList();
        Assert.Equal(2, errors.Count);
        Assert.StartsWith("||||A commit would reject this file", errors[0]);
        Assert.StartsWith("2|date|0001-01-01|sampled_at|0001-01-01 is before 1900-01-01", errors[1]);
    }

    private static JsonObject Feature(string layer) => layer switch
    {
        "sites" => Site(),
        "samples" => Sample(-1.95, 5.31),
        _ => Hotspot(Point(-1.95, 5.31)),
    };
}
