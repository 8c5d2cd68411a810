using System.Text.RegularExpressions;
using NapGeo.Layers;
using NapGeo.Samples;

namespace NapGeo.Uploads;

/// <summary>Which column feeds which field, and where the coordinates are.</summary>
public sealed class ColumnMap
{
    public Dictionary<string, int> Fields { get; } = new(StringComparer.Ordinal);
    public int? X { get; set; }
    public int? Y { get; set; }
    public int? Zone { get; set; }
    public int? Wkt { get; set; }
    /// <summary>X/Y are easting/northing: they need a CRS (crs= or a zone column).</summary>
    public bool Projected { get; set; }
    /// <summary>The longitude's header says west ("Longitude (W)"): its positive values are west (negative ones are signed already).</summary>
    public bool WestFromHeader { get; set; }
    /// <summary>The latitude's header says south ("Lat (S)"), likewise.</summary>
    public bool SouthFromHeader { get; set; }
    /// <summary>A unit written in the value column's header, e.g. "Mercury concentration (ppm)".</summary>
    public string? UnitFromHeader { get; set; }
    /// <summary>A unit written in the detection limit's header ("LOD (µg/kg)"), which may differ from the value's.</summary>
    public string? LimitUnitFromHeader { get; set; }
    public List<string> Ignored { get; } = [];

    /// <summary>For the report: field or role → column name.</summary>
    public Dictionary<string, string> Describe(IReadOnlyList<string> columns)
    {
        var result = Fields.ToDictionary(p => p.Key, p => columns[p.Value]);
        if (X is { } x) result[Projected ? "easting" : "longitude"] = columns[x];
        if (Y is { } y) result[Projected ? "northing" : "latitude"] = columns[y];
        if (Zone is { } z) result["zone"] = columns[z];
        if (Wkt is { } w) result["wkt"] = columns[w];
        if (UnitFromHeader is { } u) result["unit (from header)"] = u;
        if (LimitUnitFromHeader is { } l) result["detection_limit unit (from header)"] = l;
        return result;
    }
}

/// <summary>
/// Detects the column mapping from header names (case, accents, punctuation, units in brackets and Kobo group paths
/// ignored), then applies the caller's overrides. Unknown columns are ignored and listed, never an error.
/// </summary>
public static partial class ColumnMapping
{
    public static readonly string[] Roles = ["longitude", "latitude", "x", "y", "easting", "northing", "zone", "wkt"];

    private static readonly Dictionary<string, string[]> SampleSynonyms = new()
    {
        ["external_id"] = ["sample id", "sampleid", "sample code", "sample no", "sample number", "sample", "sample name", "id sample", "code", "id", "external id", "echantillon", "code echantillon", "id echantillon", "muestra", "id muestra", "name"],
        ["campaign"] = ["campaign", "survey", "project", "campagne", "campana"],
        ["matrix"] = ["matrix", "sample type", "type", "sample matrix", "medium", "media", "matrice", "type echantillon", "tipo de muestra", "tipo"],
        ["value"] = ["value", "concentration", "result", "hg", "thg", "total hg", "total mercury", "mercury", "hg concentration", "mercury concentration", "valeur", "valor", "resultat", "resultado"],
        ["unit"] = ["unit", "units", "unite", "unidad", "unidade", "hg unit"],
        ["below_detection"] = ["below detection", "below dl", "bdl", "below lod", "censored", "lt dl"],
        ["detection_limit"] = ["detection limit", "dl", "lod", "mdl", "limit of detection", "limite de detection"],
        ["method"] = ["method", "analytical method", "instrument", "methode", "metodo"],
        ["laboratory"] = ["laboratory", "lab", "laboratoire", "laboratorio"],
        ["sampled_at"] = ["sampled at", "date", "sampling date", "sample date", "collection date", "date sampled", "date of sampling", "datetime", "time", "fecha", "data", "date prelevement"],
        ["notes"] = ["notes", "note", "comments", "comment", "remarks", "remark", "description", "desc", "cmt", "observations"],
    };

    private static readonly Dictionary<string, string[]> SiteSynonyms = new()
    {
        ["site_code"] = ["code", "site id", "site code", "id"],
        ["name"] = ["site name", "site"],
    };

    private static readonly Dictionary<string, string[]> HotspotSynonyms = new()
    {
        ["kind"] = ["type", "hotspot type"],
        ["notes"] = ["comments", "description", "desc", "remarks"],
    };

    private static readonly string[] Longitude = ["lon", "long", "lng", "longitude", "gps longitude", "longitude x", "x longitude", "lon dd", "decimal longitude", "x"];
    private static readonly string[] Latitude = ["lat", "latitude", "gps latitude", "latitude y", "y latitude", "lat dd", "decimal latitude", "y"];
    private static readonly string[] Easting = ["easting", "east", "e", "utm e", "utm x", "x utm", "utm easting", "x coordinate", "coord x"];
    private static readonly string[] Northing = ["northing", "north", "n", "utm n", "utm y", "y utm", "utm northing", "y coordinate", "coord y"];
    private static readonly string[] ZoneNames = ["zone", "utm zone", "utm zone number", "fuseau"];
    private static readonly string[] WktNames = ["wkt", "geometry", "geom", "the geom", "shape"];

    // An unread field's place in ColumnMap.Fields while detection runs: it keeps detection from giving the field a column.
    private const int UnreadColumn = -1;

    public static ColumnMap Detect(
        LayerDefinition layer, IReadOnlyList<string> columns, bool featuresHaveGeometry, IReadOnlyDictionary<string, string?>? overrides, bool crsGiven)
    {
        // The upload's record keeps the columns as jsonb, which cannot hold a NUL character any more than text can: the
        // record failed to store with "unsupported Unicode escape sequence", naming nothing.
        for (var i = 0; i < columns.Count; i++)
            if (columns[i].Contains('\0'))
                throw new UploadFileException(422, "NUL in a header",
                    $"The header of column {i + 1} ('{RowConverter.Shown(columns[i])}') holds a NUL character (byte 0, shown as ␀); remove it.");
        var map = new ColumnMap();
        var synonyms = layer.Name switch { "samples" => SampleSynonyms, "sites" => SiteSynonyms, _ => HotspotSynonyms };
        var known = layer.Writable.Select(f => f.Name.Replace('_', ' ')).Concat(synonyms.Values.SelectMany(list => list))
            .Concat(Longitude).Concat(Latitude).Concat(Easting).Concat(Northing).Concat(ZoneNames).Concat(WktNames).ToHashSet(StringComparer.Ordinal);
        var groups = OdkGroups(columns);
        var names = columns.Select(column => DetectionName(column, known, groups, layer.Name == "samples")).ToArray();
        var used = new HashSet<int>();

        // Caller's mapping first: it wins over detection. A null leaves a field unread, e.g. a form's "Zone" that is a mining
        // zone, not a UTM zone, or a column of enumerators' names that detection took for notes.
        var unread = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, column) in overrides ?? new Dictionary<string, string?>())
        {
            if (column is null)
            {
                if (key is not ("zone" or "wkt") && layer.Find(key) is not { ReadOnly: false })
                    throw new UploadFileException(400, key is "longitude" or "x" or "latitude" or "y" or "easting" or "northing" ? "Coordinates cannot be unread" : "Unknown field in mapping",
                        $"mapping.{key} is null, but only a field of a {layer.Noun}, zone or wkt can be left unread; map a coordinate to its column instead.");
                unread.Add(key);
                if (layer.Find(key) is not null) map.Fields[key] = UnreadColumn;
                continue;
            }
            if (string.IsNullOrWhiteSpace(column))
                throw new UploadFileException(400, "Empty mapping",
                    $"mapping.{key} names no column; give the header of the file's column, e.g. {{\"{key}\":\"…\"}}, or null to leave the field unread.");
            var index = FindColumn(columns, names, column)
                ?? throw new UploadFileException(422, "Unknown column in mapping",
                    $"mapping.{key} names column '{column}', which the file does not have; its columns are: {string.Join(", ", columns)}.");
            used.Add(index);
            switch (key)
            {
                case "longitude" or "x": map.X = index; break;
                case "latitude" or "y": map.Y = index; break;
                case "easting": map.X = index; map.Projected = true; break;
                case "northing": map.Y = index; map.Projected = true; break;
                case "zone": map.Zone = index; break;
                case "wkt": map.Wkt = index; break;
                default:
                    if (layer.Find(key) is not { ReadOnly: false })
                        throw new UploadFileException(400, "Unknown field in mapping",
                            $"mapping key '{key}' is not a field of a {layer.Noun} nor a coordinate role; use one of: {string.Join(", ", layer.Writable.Select(f => f.Name).Concat(Roles))}.");
                    map.Fields[key] = index;
                    break;
            }
        }

        // Detection does not look at the 0/1 option columns of a multiple-choice question: "…/parameters/hg" is "Hg was
        // measured", not a mercury value. An option whose name is exactly one of the layer's yes/no fields is that
        // field's answer, though: a sites form asks the Annex C practices as one question, and with its options
        // ("practices/whole_ore_amalgamation" = 1) unread every practice was stored false. A mapping may name any option.
        var detectable = names.Select((name, i) => IsOptionColumn(columns, i) && YesNoOption(layer, columns[i]) is null ? "" : name).ToArray();
        // Kobo's own columns (_id, _notes, _uuid, _index, _submission_time …) are about the submission, not the sample: they
        // took external_id and notes over the form's questions. Their GPS columns (_gps_latitude) stay coordinates.
        var fieldNames = detectable.Select((name, i) => columns[i].TrimStart().StartsWith('_') ? "" : name).ToArray();

        // Exact names first (a column called "value" beats one called "Hg"), then synonyms in the order listed.
        foreach (var field in layer.Writable)
            if (!map.Fields.ContainsKey(field.Name) && Pick(fieldNames, used, [field.Name.Replace('_', ' ')]) is { } i) map.Fields[field.Name] = i;
        // A Shapefile keeps 10 characters of a name: NapGeo's own export comes back with external_i, below_dete, detection_
        // (and its feature UUID, id, took external_id).
        foreach (var field in layer.Writable.Where(f => f.Name.Length > 10 && !map.Fields.ContainsKey(f.Name)))
            for (var i = 0; i < columns.Count; i++)
                if (!used.Contains(i) && fieldNames[i].Length > 0 && string.Equals(columns[i], field.Name[..10], StringComparison.OrdinalIgnoreCase))
                { map.Fields[field.Name] = i; used.Add(i); break; }
        foreach (var (field, list) in synonyms)
            if (!map.Fields.ContainsKey(field) && Pick(fieldNames, used, list) is { } i) map.Fields[field] = i;

        if (!featuresHaveGeometry)
        {
            if (!unread.Contains("wkt")) map.Wkt ??= Pick(detectable, used, WktNames);
            // A mapping may name one coordinate: the other is still detected, of the same kind (lon/lat or easting/northing).
            if (map.Wkt is null && (map.X is null || map.Y is null))
            {
                var mapped = map.X is not null || map.Y is not null;
                if (!map.Projected)
                {
                    RefuseSeveralPairs(columns, detectable, used, map);
                    map.X ??= Pick(detectable, used, Longitude) ?? PickSuffix(detectable, used, " longitude");
                    map.Y ??= Pick(detectable, used, Latitude) ?? PickSuffix(detectable, used, " latitude");
                }
                if (!mapped && map.X is null && map.Y is null || map.Projected)
                {
                    map.X ??= Pick(detectable, used, Easting);
                    map.Y ??= Pick(detectable, used, Northing);
                    map.Projected = map.X is not null || map.Y is not null;
                }
            }
            if (!unread.Contains("zone")) map.Zone ??= Pick(detectable, used, ZoneNames);
            if (map.Wkt is null && (map.X is null || map.Y is null))
                throw new UploadFileException(422, "No coordinate columns",
                    $"Found no {(map.X is null ? "longitude/easting" : "latitude/northing")} column. The file's columns are: {string.Join(", ", columns)}. " +
                    "Name them latitude/longitude (or easting/northing with a zone), or send mapping={\"latitude\":\"…\",\"longitude\":\"…\"}.");
            if (map.Projected && map.Zone is null && !crsGiven)
                throw new UploadFileException(422, "CRS needed",
                    $"The coordinates are easting/northing ({columns[map.X!.Value]}, {columns[map.Y!.Value]}) but the file says no CRS: send crs=EPSG:<code> (e.g. EPSG:32630 for UTM zone 30N) or add a zone column (e.g. 30N).");
        }

        if (!map.Projected && map.Wkt is null)
        {
            map.WestFromHeader = map.X is { } xi && HemisphereMark(columns[xi]) is "w" or "west";
            map.SouthFromHeader = map.Y is { } yi && HemisphereMark(columns[yi]) is "s" or "south";
        }

        if (layer.Name == "samples" && !map.Fields.ContainsKey("value"))
            for (var i = 0; i < fieldNames.Length; i++)
                if (!used.Contains(i) && LooksLikeConcentration(fieldNames[i])) { map.Fields["value"] = i; used.Add(i); break; }
        foreach (var key in unread) map.Fields.Remove(key); // held their place against detection until here
        if (map.Fields.TryGetValue("value", out var valueColumn))
            map.UnitFromHeader = UnitInBrackets().Match(columns[valueColumn]) is { Success: true } unit ? unit.Groups[1].Value.Trim() : TrailingUnit(columns[valueColumn]);
        // "LOD (µg/kg)" beside "Hg (mg/kg)": the limit's unit went with the brackets, and the limit was stored as if in the
        // value's unit, a thousand times off. Only a unit is taken from its brackets: "Detection limit (DL)" names none.
        if (map.Fields.TryGetValue("detection_limit", out var limitColumn))
            map.LimitUnitFromHeader = UnitInBrackets().Match(columns[limitColumn]) is { Success: true } limitUnit && LooksLikeUnit(limitUnit.Groups[1].Value)
                ? limitUnit.Groups[1].Value.Trim()
                : TrailingUnit(columns[limitColumn]);

        // A column without a header is named by its place, or the warning would list an empty name.
        for (var i = 0; i < columns.Count; i++)
            if (!used.Contains(i)) map.Ignored.Add(string.IsNullOrWhiteSpace(columns[i]) ? $"column {i + 1} (no header)" : columns[i]);
        return map;

        int? Pick(string[] all, HashSet<int> taken, IEnumerable<string> candidates)
        {
            foreach (var candidate in candidates)
                for (var i = 0; i < all.Length; i++)
                    if (!taken.Contains(i) && all[i] == candidate) { taken.Add(i); return i; }
            return null;
        }

        int? PickSuffix(string[] all, HashSet<int> taken, string suffix)
        {
            for (var i = 0; i < all.Length; i++)
                if (!taken.Contains(i) && all[i].EndsWith(suffix, StringComparison.Ordinal)) { taken.Add(i); return i; }
            return null;
        }
    }

    /// <summary>
    /// ODK's start_geopoint beside the form's location, Kobo's _start_geopoint_latitude beside _gps_latitude: the first
    /// pair was taken without a word, and it may be where the form was opened, not where the sample was taken.
    /// Bare x/y do not count (a latitude column wins over them as before).
    /// </summary>
    private static void RefuseSeveralPairs(IReadOnlyList<string> columns, string[] names, HashSet<int> used, ColumnMap map)
    {
        List<string> Candidates(string[] list, string suffix) => Enumerable.Range(0, names.Length)
            .Where(i => !used.Contains(i) && names[i] is not ("" or "x" or "y") && (list.Contains(names[i]) || names[i].EndsWith(suffix, StringComparison.Ordinal)))
            .Select(i => columns[i]).ToList();
        var latitudes = map.Y is null ? Candidates(Latitude, " latitude") : [];
        var longitudes = map.X is null ? Candidates(Longitude, " longitude") : [];
        if (latitudes.Count <= 1 && longitudes.Count <= 1) return;
        var pairs = latitudes.Count == longitudes.Count
            ? latitudes.Zip(longitudes, (lat, lon) => (Text: $"{lat} / {lon}", Mapping: $"{{\"latitude\":\"{lat}\",\"longitude\":\"{lon}\"}}")).ToList()
            : latitudes.Select(lat => (Text: lat, Mapping: $"{{\"latitude\":\"{lat}\"}}")).Concat(longitudes.Select(lon => (Text: lon, Mapping: $"{{\"longitude\":\"{lon}\"}}"))).ToList();
        throw new UploadFileException(422, "Several coordinate columns",
            $"The file has more than one set of latitude/longitude columns ({string.Join("; ", pairs.Select(p => p.Text))}); say which is the sample's location " +
            $"with mapping={string.Join(" or mapping=", pairs.Select(p => p.Mapping))}.");
    }

    private static readonly HashSet<string> UnitKeys = Units.KnownKeys.ToHashSet(StringComparer.Ordinal);

    /// <summary>A unit written after the name without brackets: "Hg mg/kg", "THg µg g-1" → "mg/kg", "µg g-1"; or null.</summary>
    private static string? TrailingUnit(string header)
    {
        var words = header.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var count = Math.Min(2, words.Length - 1); count >= 1; count--)
            if (string.Join(' ', words[^count..]) is var unit && UnitKeys.Contains(Units.Key(unit))) return unit;
        return null;
    }

    /// <summary>A unit the tables know ("µg/kg", "ppb", "mg kg-1"), or one written as a ratio ("mg/lb"), which then fails
    /// to convert with its reason rather than be dropped as if the header had no unit.</summary>
    private static bool LooksLikeUnit(string text) => UnitKeys.Contains(Units.Key(text)) || text.Contains('/');

    private static bool LooksLikeConcentration(string name)
    {
        var words = name.Split(' ');
        return !words.Contains("detection") && !words.Contains("limit") && !words.Contains("unit") &&
               (words.Contains("concentration") || words.Contains("hg") || words.Contains("mercury") || words.Contains("thg") || words[^1] == "reading");
    }

    /// <summary>
    /// Kobo writes a select_multiple question as its column ("group/parameters" = "hg as") and one 0/1 column per option
    /// ("group/parameters/hg"): a column whose path without its last part is also a column is such an option.
    /// </summary>
    private static bool IsOptionColumn(IReadOnlyList<string> columns, int index)
    {
        var slash = columns[index].LastIndexOf('/');
        if (slash <= 0) return false;
        var question = columns[index][..slash];
        for (var i = 0; i < columns.Count; i++) if (i != index && columns[i] == question) return true;
        return false;
    }

    /// <summary>The yes/no field an option column ("…/whole_ore_amalgamation") is named after, exactly but for case, or null.</summary>
    private static Field? YesNoOption(LayerDefinition layer, string column)
    {
        var option = column[(column.LastIndexOf('/') + 1)..].Trim();
        return layer.Writable.FirstOrDefault(f => f.Kind == FieldKind.Boolean && string.Equals(f.Name, option, StringComparison.OrdinalIgnoreCase));
    }

    private static int? FindColumn(IReadOnlyList<string> columns, string[] normalized, string wanted)
    {
        for (var i = 0; i < columns.Count; i++) if (columns[i] == wanted) return i;
        var folded = Normalize(wanted);
        for (var i = 0; i < normalized.Length; i++) if (normalized[i] == folded) return i;
        return null;
    }

    /// <summary>"group_x/Sample ID", "ogr_sample_id", "Latitude (Y)", "Longitude West" → "sample id", "sample id", "latitude", "longitude".</summary>
    public static string Normalize(string header)
    {
        var name = UnitInBrackets().Replace(header, " ");
        // Before group paths: the '/' of "Hg mg/kg" is the unit's, not a group's.
        if (TrailingUnit(name) is { } unit) name = name.TrimEnd()[..^unit.Length];
        if (name.LastIndexOf('/') is var slash and >= 0 && slash < name.Length - 1) name = name[(slash + 1)..];
        if (name.StartsWith("ogr_", StringComparison.OrdinalIgnoreCase)) name = name[4..];
        var folded = Units.Fold(name);
        return HemisphereAfterCoordinate().Match(folded) is { Success: true } m ? m.Groups[1].Value : folded;
    }

    /// <summary>
    /// ODK Central joins a group and its question with '-' ("sample-date_sampled") where Kobo writes '/'. When the whole
    /// name means nothing, the question's name (after the last '-') is used; "location-Latitude" already means a latitude.
    /// Only for a group: a prefix without spaces that two or more columns share. A lone "Analysis-Date" or "QA-Result"
    /// beside the real date or value is a column of its own, not a group's question (it took the date or the value).
    /// </summary>
    private static string DetectionName(string header, HashSet<string> known, IReadOnlySet<string> groups, bool samples)
    {
        var name = Normalize(header);
        var withoutUnit = UnitInBrackets().Replace(header, " ");
        var dash = withoutUnit.LastIndexOf('-');
        if (dash <= 0 || dash == withoutUnit.Length - 1 || !groups.Contains(withoutUnit[..dash]) || known.Contains(name) ||
            name.EndsWith(" latitude", StringComparison.Ordinal) ||
            name.EndsWith(" longitude", StringComparison.Ordinal) || samples && LooksLikeConcentration(name))
            return name;
        return Normalize(withoutUnit[(dash + 1)..]);
    }

    /// <summary>The prefixes before the last '-' that two or more space-free headers share: ODK Central's groups.</summary>
    private static IReadOnlySet<string> OdkGroups(IReadOnlyList<string> columns) =>
        columns.Select(c => c.Trim()).Where(c => !c.Contains(' ') && c.LastIndexOf('-') > 0)
            .GroupBy(c => c[..c.LastIndexOf('-')], StringComparer.Ordinal).Where(g => g.Count() >= 2).Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The hemisphere a latitude or longitude header names, folded ("Longitude (W)", "Lon West" → "w", "west"), or null.</summary>
    private static string? HemisphereMark(string header) =>
        HemisphereAfterCoordinate().Match(Units.Fold(header)) is { Success: true } m ? m.Groups[2].Value : null;

    [GeneratedRegex(@"^(.*\b(?:lat|latitude|lon|long|lng|longitude)) (n|s|e|w|north|south|east|west)$")]
    private static partial Regex HemisphereAfterCoordinate();

    [GeneratedRegex(@"[\(\[]([^\)\]]*)[\)\]]")]
    private static partial Regex UnitInBrackets();
}
