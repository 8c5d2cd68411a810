using System.Globalization;
using System.Text.Json;
using NapGeo.Geometry;

namespace NapGeo.Layers;

/// <summary>A feature after parsing and validation: one value per field, and the geometry in EPSG:4326.</summary>
public sealed record FeatureDraft(Dictionary<string, object?> Values, NetTopologySuite.Geometries.Geometry Geometry);

/// <summary>The feature as stored, for a patch to start from.</summary>
public sealed record StoredFeature(Guid Id, int Version, Dictionary<string, object?> Values, NetTopologySuite.Geometries.Geometry Geometry);

/// <summary>
/// Turns a GeoJSON Feature from a request into a <see cref="FeatureDraft"/>, or into field-level messages.
/// Create and replace take the whole feature; a patch is a JSON merge patch (RFC 7396) over the stored one.
/// </summary>
public sealed class FeatureInput(GeometryInput geometries)
{
    /// <summary>Properties a client may send back unchanged from a GET; they are the server's to set.</summary>
    private static readonly HashSet<string> ServerProperties = ["id", "created_at", "updated_at", "version"];

    /// <summary>
    /// The members of a Feature (RFC 7946 3.2), and the legacy <c>crs</c> read by <see cref="TryReadCrs"/>. Anything else
    /// was ignored: a patch of <c>{"notes":"changed"}</c> or <c>{"Properties":{…}}</c> changed nothing yet answered 200,
    /// bumped the version and wrote an audit row.
    /// </summary>
    private static readonly string[] FeatureMembers = ["type", "id", "bbox", "geometry", "properties", "crs"];

    /// <summary>Numbers beyond this are not measurements of anything a layer holds, and their sums and ratios overflow.</summary>
    public const double MaxMagnitude = 1e12;

    /// <summary>
    /// A key given twice in one object (<c>"name":"first","name":"second"</c>) is refused: the last one used to win, so
    /// what was stored depended on which copy a reader looks at.
    /// </summary>
    private static readonly JsonDocumentOptions BodyOptions = new() { AllowDuplicateProperties = false };

    /// <summary>
    /// Parses a request body. JSON may escape a lone UTF-16 surrogate (<c>"\ud800"</c>), which parses but cannot be read
    /// as text: such a body is malformed JSON here (a 400), found before any value is read rather than as a server error.
    /// </summary>
    public static async Task<JsonDocument> ParseBodyAsync(Stream body, CancellationToken ct)
    {
        var document = await JsonDocument.ParseAsync(body, BodyOptions, ct);
        if (BadText(document.RootElement) is not { } where) return document;
        document.Dispose();
        throw new JsonException($"The text at ${where} holds an invalid Unicode escape (a lone surrogate such as \\ud800).");
    }

    /// <summary>The path below <paramref name="element"/> of the first string that cannot be read, or null. Paths are
    /// only built for that one: a polygon's thousands of coordinates cost a walk, not a string each.</summary>
    private static string? BadText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                try { element.GetString(); return null; }
                catch (InvalidOperationException) { return ""; }
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try { name = property.Name; }
                    catch (InvalidOperationException) { return ".(a property name)"; }
                    if (BadText(property.Value) is { } below) return $".{name}{below}";
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (BadText(item) is { } below) return $"[{i}]{below}";
                    i++;
                }
                return null;
            default:
                return null;
        }
    }

    /// <param name="start">
    /// For a create: the values that properties left out keep, instead of the defaults (an upload row that updates a stored
    /// row whose file lacks some columns). Unlike a patch base, it gives no geometry: the feature must still have one.
    /// </param>
    public async Task<FeatureDraft?> ReadAsync(
        JsonElement feature, LayerDefinition layer, StoredFeature? patchBase, string? crsParameter, bool repair,
        ValidationErrors errors, CancellationToken ct, IReadOnlyDictionary<string, object?>? start = null)
    {
        // A merge patch (RFC 7396) may leave out what it does not change, the type included.
        var typeGiven = feature.ValueKind == JsonValueKind.Object && feature.TryGetProperty("type", out _);
        if (feature.ValueKind != JsonValueKind.Object || (patchBase is null || typeGiven) &&
            (!feature.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "Feature"))
        {
            errors.Add("type", "the body must be a GeoJSON Feature ({\"type\":\"Feature\",\"geometry\":…,\"properties\":{…}}).");
            return null;
        }

        RefuseUnknownMembers(feature, layer, errors);
        var values = patchBase is not null ? new Dictionary<string, object?>(patchBase.Values)
            : start is not null ? new Dictionary<string, object?>(start)
            : layer.Fields.ToDictionary(f => f.Name, f => f.ReadOnly ? null : f.Default);
        if (feature.TryGetProperty("properties", out var properties) && properties.ValueKind != JsonValueKind.Null)
        {
            if (properties.ValueKind != JsonValueKind.Object) errors.Add("properties", "must be an object.");
            else ReadProperties(properties, layer, values, errors);
        }

        var geometry = await ReadGeometryAsync(feature, layer, patchBase, crsParameter, repair, errors, ct);

        foreach (var field in layer.Writable)
            if (field.Required && values[field.Name] is null or "" && !errors.HasProperty(field.Name)) // one message per bad value
                errors.AddProperty(field.Name, "is required.");
        if (errors.IsEmpty) layer.Validate?.Invoke(values, errors);
        return errors.IsEmpty && geometry is not null ? new FeatureDraft(values, geometry) : null;
    }

    private static void RefuseUnknownMembers(JsonElement feature, LayerDefinition layer, ValidationErrors errors)
    {
        foreach (var member in feature.EnumerateObject())
        {
            if (FeatureMembers.Contains(member.Name)) continue;
            var hint = FeatureMembers.FirstOrDefault(m => string.Equals(m, member.Name, StringComparison.OrdinalIgnoreCase)) is { } spelt
                ? $" Member names are case-sensitive: write \"{spelt}\"."
                : layer.Find(member.Name) is not null
                    ? $" {member.Name} is a property: send {{\"properties\":{{\"{member.Name}\":…}}}}."
                    : "";
            errors.Add(member.Name, $"is not a member of a GeoJSON Feature (type, id, bbox, geometry, properties).{hint}");
        }
    }

    private async Task<NetTopologySuite.Geometries.Geometry?> ReadGeometryAsync(
        JsonElement feature, LayerDefinition layer, StoredFeature? patchBase, string? crsParameter, bool repair,
        ValidationErrors errors, CancellationToken ct)
    {
        var hasGeometry = feature.TryGetProperty("geometry", out var element) && element.ValueKind != JsonValueKind.Null;
        if (!hasGeometry)
        {
            if (patchBase is not null) return patchBase.Geometry;
            errors.Add("geometry", $"is required: a {layer.Noun} needs a {string.Join(" or ", layer.GeometryTypes)}.");
            return null;
        }
        if (!TryReadCrs(feature, crsParameter, out var srid, out var crsProblem))
        {
            errors.Add("crs", crsProblem!);
            return null;
        }
        var messages = new List<string>();
        var geometry = await geometries.ReadAsync(element, srid, repair, layer.GeometryTypes, layer.PromotePolygons, messages, ct);
        foreach (var message in messages) errors.Add("geometry", message);
        return geometry;
    }

    /// <summary>The CRS of the input: <c>?crs=</c>, else a legacy GeoJSON <c>crs</c> member, else lon/lat (RFC 7946).</summary>
    private static bool TryReadCrs(JsonElement feature, string? crsParameter, out int srid, out string? problem)
    {
        srid = CrsTransforms.Wgs84;
        problem = null;
        var name = crsParameter;
        if (name is null && feature.TryGetProperty("crs", out var crs) && crs.ValueKind == JsonValueKind.Object &&
            crs.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object &&
            p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
            name = n.GetString();
        if (name is null) return true;
        if (CrsName.TryParseSrid(name, out srid)) return true;
        problem = $"'{name}' is not a CRS this server reads; use EPSG:<code>, e.g. EPSG:32630 for UTM zone 30N.";
        return false;
    }

    private static void ReadProperties(JsonElement properties, LayerDefinition layer, Dictionary<string, object?> values, ValidationErrors errors)
    {
        foreach (var property in properties.EnumerateObject())
        {
            var field = layer.Find(property.Name);
            if (field is null)
            {
                if (!ServerProperties.Contains(property.Name))
                    errors.AddProperty(property.Name, $"is not a property of a {layer.Noun}; known: {string.Join(", ", layer.Writable.Select(f => f.Name))}.");
                continue;
            }
            if (field.ReadOnly) continue;
            // Null where the column has a default means "not given", as an empty upload cell does; in a merge patch it
            // removes the value (RFC 7396), which brings the default back. The NOT NULL column would refuse it otherwise.
            if (TryConvert(field, property.Value, out var value, out var problem)) values[field.Name] = value ?? field.Default;
            else errors.AddProperty(field.Name, problem!);
        }
    }

    /// <summary>Converts one JSON value to the CLR value stored for <paramref name="field"/>.</summary>
    public static bool TryConvert(Field field, JsonElement json, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        if (json.ValueKind == JsonValueKind.Null) return true;
        switch (field.Kind)
        {
            case FieldKind.Text:
                var text = json.ValueKind switch
                {
                    JsonValueKind.String => json.GetString()!,
                    JsonValueKind.Number => json.GetRawText(), // ids typed as numbers in spreadsheets
                    _ => null,
                };
                if (text is null) { problem = "must be a string."; return false; }
                // " Geita" and "Geita" are one province, and "" is no value: they must not split a map or a statistic.
                text = field.Visible(text).Trim();
                if (text.Length == 0) return true;
                if (text.Length > field.MaxLength) { problem = $"is longer than {field.MaxLength} characters."; return false; }
                // PostgreSQL's text cannot hold it: the insert failed as "invalid byte sequence for encoding UTF8", naming nothing.
                if (text.Contains('\0')) { problem = "holds the NUL character (U+0000), which text cannot store."; return false; }
                if (field.AllowedCode(text) is not { } code)
                {
                    problem = $"'{Shorten(text)}' is not one of: {string.Join(", ", field.Allowed!)}.";
                    return false;
                }
                value = code;
                return true;
            case FieldKind.Integer:
                if (json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out var integer)) { value = integer; return true; }
                // pandas and json.dumps write an integer column holding nulls as floats: 87.0 is still 87 miners.
                if (json.ValueKind == JsonValueKind.Number && json.TryGetDouble(out var whole) && whole == Math.Floor(whole) && whole is >= int.MinValue and <= int.MaxValue)
                { value = (int)whole; return true; }
                problem = "must be a whole number.";
                return false;
            case FieldKind.Number:
                if (json.ValueKind == JsonValueKind.Number && json.TryGetDouble(out var number) && Math.Abs(number) <= MaxMagnitude) { value = number; return true; }
                problem = json.ValueKind == JsonValueKind.Number && json.TryGetDouble(out var big) && double.IsFinite(big)
                    ? $"is too large: numbers here are at most {MaxMagnitude:0e0} in magnitude."
                    : "must be a finite number.";
                return false;
            case FieldKind.Boolean:
                if (json.ValueKind is JsonValueKind.True or JsonValueKind.False) { value = json.GetBoolean(); return true; }
                problem = "must be true or false.";
                return false;
            case FieldKind.Date:
                if (json.ValueKind == JsonValueKind.String &&
                    DateOnly.TryParseExact(json.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    if ((problem = ImplausibleDate(date)) is not null) return false;
                    value = date;
                    return true;
                }
                problem = "must be a date written YYYY-MM-DD.";
                return false;
            case FieldKind.Timestamp:
                if (json.ValueKind == JsonValueKind.String && TryParseTimestamp(json.GetString()!, out var timestamp))
                {
                    if ((problem = ImplausibleDate(DateOnly.FromDateTime(timestamp))) is not null) return false;
                    value = timestamp;
                    return true;
                }
                problem = "must be a date (YYYY-MM-DD) or an ISO 8601 date-time.";
                return false;
            case FieldKind.Uuid:
                if (json.ValueKind == JsonValueKind.String && Guid.TryParse(json.GetString(), out var uuid)) { value = uuid; return true; }
                problem = "must be a UUID.";
                return false;
            default:
                throw new InvalidOperationException($"Field kind {field.Kind} has no conversion");
        }
    }

    /// <summary>The earliest date a layer takes: no ASGM survey, sample or observation recorded here is older.</summary>
    public static readonly DateOnly EarliestDate = new(1900, 1, 1);

    /// <summary>
    /// Why <paramref name="date"/> (UTC) cannot be a field date, or null. Npgsql stores DateTime.MinValue and MaxValue
    /// (years 1 and 9999, typical placeholders) as -infinity and infinity, so they came back as "infinity" in profiles.
    /// Field dates record observations, not plans: a day of slack after today (UTC) allows for time zones ahead of it.
    /// </summary>
    private static string? ImplausibleDate(DateOnly date)
    {
        var latest = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
        if (date < EarliestDate) return $"{date:yyyy-MM-dd} is before {EarliestDate:yyyy-MM-dd}: not a plausible field date (a placeholder?).";
        if (date > latest) return $"{date:yyyy-MM-dd} is in the future (after {latest:yyyy-MM-dd}): field dates record observations, not plans.";
        return null;
    }

    /// <summary>
    /// ISO 8601 / RFC 3339 only: a date (2024-05-02) or a date-time (2024-05-02T10:00:00Z; a space for the T, a missing
    /// offset is UTC). Anything else is refused rather than guessed: "03/04/2024" is 3 April to a francophone field team
    /// and 4 March to a US parser, and "10:30" alone has no date. (Uploads read day-first dates themselves, then send ISO.)
    /// </summary>
    public static bool TryParseTimestamp(string text, out DateTime utc)
    {
        utc = default;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            utc = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            return true;
        }
        if (text.Length < 16 || text[4] != '-' || text[7] != '-' || text[10] is not ('T' or 't' or ' ') || text[13] != ':' ||
            !DateOnly.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return false;
        utc = parsed.UtcDateTime;
        return true;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
