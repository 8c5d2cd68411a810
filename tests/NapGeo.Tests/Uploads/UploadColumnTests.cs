using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

/// <summary>Which column feeds which field, for the headers Kobo, ODK, GDAL and NapGeo's own exports write.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadColumnTests(NapGeoServer server)
{
    private async Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(string file, string name, params (string, string)[] fields)
    {
        var response = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes(file), name, [("target", "samples"), .. fields]);
        return (response.StatusCode, await response.JsonAsync());
    }

    private Task<string> StoredAsync(string campaign, string columns) => server.Database.ScalarAsync<string>(
        $"SELECT string_agg(concat_ws(' ', {columns}), '; ' ORDER BY external_id) FROM samples WHERE campaign = $1", campaign);

    private static string Mapped(JsonObject body, string field) => body["mapping"]![field]?.GetValue<string>() ?? "(none)";

    [Fact]
    public async Task The_option_columns_of_a_kobo_multiple_choice_question_are_never_mapped()
    {
        // "parameters/hg" is 1 when Hg was measured: it was taken for the value (its name after the last '/' is "hg").
        var csv = "group_sampling/sample_id,group_sampling/matrix,group_sampling/parameters,group_sampling/parameters/hg,group_sampling/parameters/as," +
                  "_group_sampling/gps_latitude,_group_sampling/gps_longitude,group_sampling/hg_reading,group_sampling/unit\n" +
                  "KX-001,soil,hg as,1,1,5.30412,-1.98765,0.35,mg/kg\n" +
                  "KX-002,tailings,hg,1,0,5.3101,-1.9912,12.5,mg/kg\n";
        var campaign = Unique("KOBOOPT");
        var (status, body) = await UploadAsync(csv, "kobo.csv", ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal("group_sampling/hg_reading", Mapped(body, "value"));
        Assert.Equal("KX-001 0.35; KX-002 12.5", await StoredAsync(campaign, "external_id, value"));

        // A form's reading of the instrument, named after it, is the value too.
        var (lumexStatus, lumexBody) = await UploadAsync("sample_id,matrix,unit,latitude,longitude,lumex_reading\nL1,soil,mg/kg,5.3,-1.9,0.8\n", "lumex.csv",
            ("campaign", Unique("READING")), ("mode", "dry-run"));
        Assert.True(lumexStatus == HttpStatusCode.OK, lumexBody.ToJsonString());
        Assert.Equal("lumex_reading", Mapped(lumexBody, "value"));
    }
}
