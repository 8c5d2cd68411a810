using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

/// <summary>How CSV cells are read: field counts, numbers, encodings and headers that qualify their column.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadCsvTests(NapGeoServer server)
{
    private async Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(string csv, params (string, string)[] fields) =>
        await UploadAsync(Encoding.UTF8.GetBytes(csv), fields);

    private async Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(byte[] file, params (string, string)[] fields)
    {
        var response = await PostAsync(server.Editor(), file, "field.csv", [("target", "samples"), .. fields]);
        return (response.StatusCode, await response.JsonAsync());
    }

    private Task<string> StoredAsync(string campaign, string columns) => server.Database.ScalarAsync<string>(
        $"SELECT string_agg(concat_ws(' ', {columns}), '; ' ORDER BY external_id) FROM samples WHERE campaign = $1", campaign);

    [Fact]
    public async Task A_row_with_more_fields_than_the_header_is_a_row_error_but_trailing_empty_fields_are_not()
    {
        // An unquoted decimal comma split "0,35" into 0 and 35: the row was stored with value 0.
        var campaign = Unique("EXTRA");
        var csv = "sample_id,matrix,latitude,longitude,date,unit,Hg\n" +
                  "CD-01,soil,5.30412,-1.98765,2024-05-02,mg/kg,0,35\n" +
                  "CD-02,soil,5.30412,-1.98765,2024-05-02,mg/kg,1.5,,,\n";
        var (status, body) = await UploadAsync(csv, ("campaign", campaign));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(["2|column 8|35||row 2 has 8 fields but the header has 7 (a decimal comma in a comma-separated file? quote the value)."],
            Lines(body, "errors"));
        Assert.Equal(1, body["counts"]!["valid"]!.GetValue<int>());
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = $1", campaign));
    }
}
