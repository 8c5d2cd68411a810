using System.Net;
using System.Text;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

/// <summary>Coordinates written as degrees-minutes-seconds, decimal minutes or with hemisphere letters.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadDegreesTests(NapGeoServer server)
{
    /// <summary>A CSV row of id, latitude, longitude, each cell quoted (the seconds mark is a quote).</summary>
    private static string Row(string id, string latitude, string longitude) =>
        string.Join(',', new[] { id, "soil", "0.5", "mg/kg", latitude, longitude }.Select(c => "\"" + c.Replace("\"", "\"\"") + "\"")) + "\n";

    [Fact]
    public async Task Degrees_minutes_seconds_and_hemisphere_letters_are_read_with_their_sign()
    {
        // All of these were "the latitude is not a number": GPS units and lab sheets write them so.
        var campaign = Unique("DMS");
        var csv = "sample_id,matrix,value,unit,latitude,longitude\n" +
                  Row("D1", "5°36'13.3\"N", "1°54'W") +
                  Row("D2", "5° 36' 13.3\" N", "1 54 30 W") +
                  Row("D3", "N 5 36 13.3", "-1°54'30\"") +
                  Row("D4", "5.6037 N", "1°54'W") +
                  Row("D5", "5°36.222'N", "1º54′30″W") +
                  Row("D6", "5º36’13,3”S", "1°54'30''E") +
                  Row("D7", "-5.6037 S", "e 1.9") +
                  Row("D8", "5°36'N", "1°54'O") +          // oeste: Spanish and Portuguese sheets
                  Row("D9", "5°36'S", "1°54'30\"L");      // leste: Portuguese
        var (status, body) = await UploadSamplesAsync(server.Editor(), Encoding.UTF8.GetBytes(csv), "dms.csv", ("campaign", campaign));
        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        Assert.Equal(
            "D1 5.603694 -1.900000; D2 5.603694 -1.908333; D3 5.603694 -1.908333; D4 5.603700 -1.900000; " +
            "D5 5.603700 -1.908333; D6 -5.603694 1.908333; D7 -5.603700 1.900000; D8 5.600000 -1.900000; D9 -5.600000 1.908333",
            await server.Database.ScalarAsync<string>(
                "SELECT string_agg(concat_ws(' ', external_id, to_char(ST_Y(geom), 'FM990.000000'), to_char(ST_X(geom), 'FM990.000000')), '; ' ORDER BY external_id) " +
                "FROM samples WHERE campaign = $1", campaign));
    }

    [Fact]
    public async Task A_hemisphere_on_the_wrong_axis_or_against_the_sign_and_sixty_minutes_are_row_errors_on_their_cell()
    {
        var csv = "sample_id,matrix,value,unit,latitude,longitude\n" +
                  Row("E1", "5°75'N", "1°54'W") +
                  Row("E2", "5°36'61\"N", "1°54'W") +
                  Row("E3", "5°36'N", "1°54'N") +
                  Row("E4", "-5°36'N", "1°54'W") +
                  Row("E5", "5.5°30'N", "1°54'W") +
                  Row("E6", "5°36'N", "-1°54'E") +
                  Row("E7", "5°36'N", "1°54'W") +
                  Row("E8", "5°36'O", "1°54'W");
        var (status, body) = await UploadSamplesAsync(server.Editor(), Encoding.UTF8.GetBytes(csv), "dms.csv",
            ("campaign", Unique("DMS")), ("on_error", "skip-invalid"), ("mode", "dry-run"));
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(
        [
            "2|latitude|5°75'N|geometry|the latitude has 75 minutes; minutes run from 0 to under 60.",
            "3|latitude|5°36'61\"N|geometry|the latitude has 61 seconds; seconds run from 0 to under 60.",
            "4|longitude|1°54'N|geometry|the longitude has the hemisphere N, which is a latitude's; a longitude takes E or W (O or L).",
            "5|latitude|-5°36'N|geometry|the latitude has a minus sign (south) and the hemisphere N; keep one of them.",
            "6|latitude|5.5°30'N|geometry|the latitude has decimals before its last part; only the last of degrees, minutes and seconds may have them.",
            "7|longitude|-1°54'E|geometry|the longitude has a minus sign (west) and the hemisphere E; keep one of them.",
            "9|latitude|5°36'O|geometry|the latitude has the hemisphere O, which is a longitude's; a latitude takes N or S.",
        ], Lines(body, "errors"));
        Assert.Equal(1, body["counts"]!["valid"]!.GetValue<int>());
    }
}
