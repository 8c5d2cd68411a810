namespace NapGeo.Features.Cql2;

/// <summary>
/// The syntax tree both CQL2 encodings (text and JSON) are read into. <see cref="At"/> says where the node came from
/// ("position 14" in cql2-text, "args[1].args[0]" in cql2-json) so that errors can point at it.
/// </summary>
public abstract record CqlNode(string At);

public sealed record CqlAnd(string At, IReadOnlyList<CqlNode> Args) : CqlNode(At);
public sealed record CqlOr(string At, IReadOnlyList<CqlNode> Args) : CqlNode(At);
public sealed record CqlNot(string At, CqlNode Arg) : CqlNode(At);

/// <summary>=, &lt;&gt;, &lt;, &lt;=, &gt;, &gt;=</summary>
public sealed record CqlCompare(string At, string Op, CqlNode Left, CqlNode Right) : CqlNode(At);
public sealed record CqlLike(string At, CqlNode Value, CqlNode Pattern) : CqlNode(At);
public sealed record CqlBetween(string At, CqlNode Value, CqlNode Low, CqlNode High) : CqlNode(At);
public sealed record CqlIn(string At, CqlNode Value, IReadOnlyList<CqlNode> List) : CqlNode(At);
public sealed record CqlIsNull(string At, CqlNode Value) : CqlNode(At);

/// <summary>A spatial (S_*) or temporal (T_*) predicate; the name is upper case.</summary>
public sealed record CqlFunction(string At, string Name, IReadOnlyList<CqlNode> Args) : CqlNode(At);

public sealed record CqlProperty(string At, string Name) : CqlNode(At);
/// <summary>A string, a double or a boolean.</summary>
public sealed record CqlLiteral(string At, object Value) : CqlNode(At);
/// <summary>DATE('…') or TIMESTAMP('…'); the text is checked when the filter is compiled.</summary>
public sealed record CqlTime(string At, bool IsDate, string Text) : CqlNode(At);
/// <summary>INTERVAL(start, end): each end is a <see cref="CqlTime"/>, a string ('..' = open) or a property.</summary>
public sealed record CqlInterval(string At, CqlNode Start, CqlNode End) : CqlNode(At);
/// <summary>
/// A geometry literal. A BBOX whose minimum exceeds its maximum on one axis is read as a box across the antimeridian,
/// its two halves on that <paramref name="WrappedAxis"/> (0 or 1); only a geographic filter-crs with longitude on that
/// axis can mean it (<see cref="CqlSql"/> decides).
/// </summary>
public sealed record CqlGeometry(string At, NetTopologySuite.Geometries.Geometry Geometry, int? WrappedAxis = null) : CqlNode(At);

/// <summary>A filter that cannot be used: what is wrong and where.</summary>
public sealed class CqlException(string message, string at) : Exception(message)
{
    public string At { get; } = at;
}
