using System.Text.Json;
using NapGeo.Layers;

namespace NapGeo.Assessment;

/// <summary>
/// Reads the body of <c>PUT /api/guidelines/{code}</c> member by member. The model binder dropped unknown or misspelt
/// members (<c>isDefault</c> left a guideline non-default without a word) and answered a wrong type with "Failed to read
/// parameter "SetInput input"", naming neither the field nor anything the caller wrote.
/// </summary>
public static class GuidelineSetReader
{
    private enum Kind { Text, Number, WholeNumber, Boolean }

    // guidelines is listed so that it is known; Read reads it itself, row by row.
    private static readonly (string Name, Kind Kind)[] SetMembers = [("name", Kind.Text), ("description", Kind.Text), ("guidelines", Kind.Text)];

    private static readonly (string Name, Kind Kind)[] RowMembers =
    [
        ("id", Kind.Text), ("matrix", Kind.Text), ("value", Kind.Number), ("unit", Kind.Text), ("is_default", Kind.Boolean),
        ("name", Kind.Text), ("protects", Kind.Text), ("source", Kind.Text), ("url", Kind.Text), ("year", Kind.WholeNumber),
        ("verified", Kind.Text), ("note", Kind.Text),
    ];

    /// <summary>The set, or null with messages keyed by path (<c>guidelines[0].value</c>) when a member is unknown or of the wrong type.</summary>
    public static GuidelinesApi.SetInput? Read(JsonElement root, ValidationErrors errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", "the body must be an object: {\"name\":…,\"description\":…,\"guidelines\":[…]}.");
            return null;
        }
        var set = Members(root, "", SetMembers, errors, except: "guidelines");
        List<GuidelinesApi.GuidelineInput?>? rows = null;
        if (root.TryGetProperty("guidelines", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array) errors.Add("guidelines", "must be an array of guidelines.");
            else
            {
                rows = [];
                var i = 0;
                foreach (var row in list.EnumerateArray()) rows.Add(Row(row, $"guidelines[{i++}]", errors));
            }
        }
        return errors.IsEmpty ? new GuidelinesApi.SetInput(Text(set, "name"), Text(set, "description"), rows) : null;
    }

    private static GuidelinesApi.GuidelineInput? Row(JsonElement row, string path, ValidationErrors errors)
    {
        // A null row is left for the validator, which says what a row must hold.
        if (row.ValueKind == JsonValueKind.Null) return null;
        if (row.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be an object with id, matrix, value, unit, name and source.");
            return null;
        }
        var v = Members(row, path + ".", RowMembers, errors);
        return new GuidelinesApi.GuidelineInput(Text(v, "id"), Text(v, "matrix"), v.GetValueOrDefault("value") as double?, Text(v, "unit"),
            v.GetValueOrDefault("is_default") as bool?, Text(v, "name"), Text(v, "protects"), Text(v, "source"), Text(v, "url"),
            v.GetValueOrDefault("year") as int?, Text(v, "verified"), Text(v, "note"));
    }

    private static Dictionary<string, object?> Members(
        JsonElement element, string prefix, (string Name, Kind Kind)[] known, ValidationErrors errors, string? except = null)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var member in element.EnumerateObject())
        {
            if (member.Name == except) continue;
            var match = known.FirstOrDefault(k => k.Name == member.Name);
            if (match.Name is null)
            {
                errors.Add(prefix + member.Name, $"is not a field here{Suggestion(member.Name, known)}; known: {string.Join(", ", known.Select(k => k.Name))}.");
                continue;
            }
            if (member.Value.ValueKind == JsonValueKind.Null) continue;
            if (Convert(member.Value, match.Kind) is { } value) values[member.Name] = value;
            else errors.Add(prefix + member.Name, match.Kind switch
            {
                Kind.Number => "must be a number.",
                Kind.WholeNumber => "must be a whole number.",
                Kind.Boolean => "must be true or false.",
                _ => "must be a string.",
            });
        }
        return values;
    }

    private static object? Convert(JsonElement json, Kind kind) => kind switch
    {
        Kind.Text when json.ValueKind == JsonValueKind.String => json.GetString(),
        Kind.Number when json.ValueKind == JsonValueKind.Number && json.TryGetDouble(out var number) => number,
        Kind.WholeNumber when json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out var whole) => whole,
        Kind.Boolean when json.ValueKind is JsonValueKind.True or JsonValueKind.False => json.GetBoolean(),
        _ => null,
    };

    /// <summary>" (did you mean is_default?)" for isDefault, IsDefault or is-default: the same letters in another case or spelling.</summary>
    private static string Suggestion(string name, (string Name, Kind Kind)[] known)
    {
        static string Letters(string s) => new string(s.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
        return known.FirstOrDefault(k => Letters(k.Name) == Letters(name)).Name is { } meant ? $" (did you mean {meant}?)" : "";
    }

    private static string? Text(Dictionary<string, object?> values, string name) => values.GetValueOrDefault(name) as string;
}
