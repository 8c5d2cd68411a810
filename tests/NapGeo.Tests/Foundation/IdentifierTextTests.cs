using System.Net;
using System.Text;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

/// <summary>
/// Codes that name a record (site_code, external_id, campaign) lose their invisible format characters (Unicode Cf):
/// U+200B alone passed "required", and "REV-1" followed by U+200B passed the unique check beside "REV-1".
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class IdentifierTextTests(NapGeoServer server)
{
    [Fact]
    public async Task A_code_of_only_a_zero_width_space_is_missing()
    {
        var site = Site();
        site["properties"]!["site_code"] = "\u200b";
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/sites", site);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("is required.", (await response.JsonAsync())["errors"]!["properties.site_code"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Format_characters_are_dropped_from_codes_so_look_alikes_are_one_code_and_filters_find_it()
    {
        var client = server.Editor();
        var code = Unique("REV");
        var (id, _, json) = await client.CreateAsync("sites", Site("\u2060" + code + "\u200e\u00ad\ufeff"));
        Assert.Equal(code, json["properties"]!["site_code"]!.GetValue<string>());
        Assert.Equal(code, await server.Database.ScalarAsync<string>("SELECT site_code FROM sites WHERE id = $1", id));

        var lookAlike = await client.SendAsync(HttpMethod.Post, "/api/sites", Site(code + "\u200b"));
        Assert.Equal(HttpStatusCode.Conflict, lookAlike.StatusCode);
        Assert.Equal(1L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE site_code LIKE $1", code + "%"));

        var found = await (await server.Client().GetAsync($"/api/sites?site_code={Uri.EscapeDataString(code + "\u200b")}")).JsonAsync();
        Assert.Equal(1, found["numberMatched"]!.GetValue<int>());

        // Other text keeps them: a zero-width joiner is part of words in Indic scripts (क्‍ष) and of emoji.
        var named = Site();
        named["properties"]!["name"] = "क्\u200dष";
        var (namedId, _, _) = await client.CreateAsync("sites", named);
        Assert.Equal("क्\u200dष", await server.Database.ScalarAsync<string>("SELECT name FROM sites WHERE id = $1", namedId));
    }

    [Fact]
    public async Task Sample_ids_and_campaigns_lose_them_through_rest_and_uploads_alike()
    {
        var client = server.Editor();
        var campaign = Unique("CAMP");
        var sample = Sample(-1.95, 5.31, id: "S-1\u200b");
        sample["properties"]!["campaign"] = "\u200b" + campaign;
        var (id, _, _) = await client.CreateAsync("samples", sample);
        Assert.Equal("S-1|" + campaign, await server.Database.ScalarAsync<string>("SELECT external_id || '|' || campaign FROM samples WHERE id = $1", id));

        var again = Sample(-1.95, 5.31, id: "S-1");
        again["properties"]!["campaign"] = campaign;
        Assert.Equal(HttpStatusCode.Conflict, (await client.SendAsync(HttpMethod.Post, "/api/samples", again)).StatusCode);

        var csv = "sample_id,matrix,lat,lon,value,unit,date\nS-2\u200b,soil,5.31,-1.95,1,mg/kg,2024-01-01\n";
        var upload = await Uploads.UploadFiles.PostAsync(client, Encoding.UTF8.GetBytes(csv), "ids.csv",
            ("target", "samples"), ("campaign", campaign + "\u200d"), ("mode", "commit"));
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        Assert.Equal(["S-1", "S-2"], await server.Database.ScalarAsync<string[]>(
            "SELECT array_agg(external_id ORDER BY external_id) FROM samples WHERE campaign = $1", campaign));
    }

    /// <summary>Codes stored before the rule kept their invisible characters: a re-upload no longer matched them.</summary>
    [Fact]
    public async Task Codes_stored_before_the_rule_are_cleaned_by_the_migration_unless_their_clean_form_is_taken()
    {
        var client = server.Editor();
        var (clean, taken) = (Unique("OLD"), Unique("TAKEN"));
        var (dirtySite, _, _) = await client.CreateAsync("sites", Site(clean));
        var (lookAlike, _, _) = await client.CreateAsync("sites", Site(Unique("LOOK")));
        await client.CreateAsync("sites", Site(taken));
        var campaign = Unique("OLDCAMP");
        var sample = Sample(-1.9, 5.3, id: "S-1");
        sample["properties"]!["campaign"] = campaign;
        var (dirtySample, _, _) = await client.CreateAsync("samples", sample);
        // As rows written before the rule were stored: with a zero-width space, and one whose clean code another site has.
        await server.Database.ScalarAsync<int>("""
            WITH a AS (UPDATE sites SET site_code = site_code || chr(8203) WHERE id = $1 RETURNING 1),
                 b AS (UPDATE sites SET site_code = $3 || chr(8206) WHERE id = $2 RETURNING 1),
                 c AS (UPDATE samples SET external_id = chr(8288) || external_id, campaign = campaign || chr(65279) WHERE id = $4 RETURNING 1)
            SELECT ((SELECT count(*) FROM a) + (SELECT count(*) FROM b) + (SELECT count(*) FROM c))::int
            """, dirtySite, lookAlike, taken, dirtySample);

        await using var db = server.Database.CreateDataSource();
        await using (var migrate = db.CreateCommand(NapGeo.Database.SqlResource.Load("Database.Migrations.0140_visible_codes.sql")))
            await migrate.ExecuteNonQueryAsync();

        Assert.Equal(clean, await server.Database.ScalarAsync<string>("SELECT site_code FROM sites WHERE id = $1", dirtySite));
        Assert.Equal(taken + "\u200e", await server.Database.ScalarAsync<string>("SELECT site_code FROM sites WHERE id = $1", lookAlike));
        Assert.Equal($"{campaign}/S-1", await server.Database.ScalarAsync<string>("SELECT campaign || '/' || external_id FROM samples WHERE id = $1", dirtySample));
    }
}
