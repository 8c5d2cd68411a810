using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using NapGeo.Layers;

namespace NapGeo.Features;

/// <summary>
/// Writes rows into the response's <see cref="PipeWriter"/> and flushes every few hundred rows, which also waits for a
/// slow client: memory stays constant whatever the size of the download.
/// </summary>
public abstract class FeatureWriter(PipeWriter pipe)
{
    private const int RowsPerFlush = 256;
    // By size too: 256 site outlines are megabytes, which Kestrel's pipe then held in memory for each slow client.
    private const int BytesPerFlush = 128 * 1024;
    private int _pending;
    protected PipeWriter Pipe { get; } = pipe;

    public abstract ValueTask WriteAsync(DbDataReader row, CancellationToken ct);

    /// <summary>Bytes written since the last flush, held by the pipe (and by a writer's own buffer, see CollectionWriter).</summary>
    protected virtual long Buffered => Pipe.CanGetUnflushedBytes ? Pipe.UnflushedBytes : 0;

    protected async ValueTask RowWrittenAsync(CancellationToken ct)
    {
        if (++_pending < RowsPerFlush && Buffered < BytesPerFlush) return;
        _pending = 0;
        await FlushAsync(ct);
    }

    public virtual async ValueTask FlushAsync(CancellationToken ct) => await Pipe.FlushAsync(ct);
}

/// <summary>One GeoJSON Feature per line: <c>application/x-ndjson</c>, or RFC 8142 <c>application/geo+json-seq</c> (RS before each).</summary>
public sealed class SequenceWriter(PipeWriter pipe, LayerDefinition layer, FeatureShape shape, bool recordSeparator) : FeatureWriter(pipe)
{
    private readonly Utf8JsonWriter _json = new(pipe, FeatureJson.WriterOptions);

    public override async ValueTask WriteAsync(DbDataReader row, CancellationToken ct)
    {
        if (recordSeparator) Pipe.Write("\u001e"u8);
        FeatureJson.WriteFeature(_json, row, layer, shape);
        _json.Flush();
        _json.Reset();
        Pipe.Write("\n"u8);
        await RowWrittenAsync(ct);
    }
}

/// <summary>
/// RFC 4180 CSV: id, then the point's coordinates (lon,lat; lat,lon in EPSG:4326; x,y projected) or WKT otherwise, then the properties. Text cells that a
/// spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading apostrophe.
/// </summary>
public sealed class CsvWriter : FeatureWriter
{
    private readonly LayerDefinition _layer;
    private readonly FeatureShape _shape;
    private readonly bool _points;
    private readonly StringBuilder _line = new();

    public CsvWriter(PipeWriter pipe, LayerDefinition layer, FeatureShape shape, OgcCrs crs) : base(pipe)
    {
        _layer = layer;
        _shape = shape;
        _points = layer.IsPointLayer;
        var header = new List<string> { "id" };
        // Point columns come in the CRS's axis order, like the WKT of the other layers, and their names say which is
        // which, so a reader that maps columns by name (GDAL, QGIS, spreadsheets) is right whatever the order.
        header.AddRange(!_points ? ["wkt"] : crs.LatLonOrder ? ["lat", "lon"] : crs.IsGeographic ? ["lon", "lat"] : ["x", "y"]);
        header.AddRange(layer.Fields.Where(f => shape.Includes(f.Name)).Select(f => f.Name));
        header.AddRange(((string[])["created_at", "updated_at", "version"]).Where(shape.Includes));
        if (shape.MapxTime) header.AddRange(((string[])[FeatureJson.MapxStart, FeatureJson.MapxEnd]).Where(shape.Includes));
        _line.AppendJoin(',', header).Append("\r\n");
        Emit();
    }

    public override async ValueTask WriteAsync(DbDataReader row, CancellationToken ct)
    {
        _line.Append(row.GetGuid(0).ToString());
        if (_points)
        {
            var ordinal = FeatureReader.CoordinateOrdinal(_layer);
            _line.Append(',').Append(Number(row.GetDouble(ordinal))).Append(',').Append(Number(row.GetDouble(ordinal + 1)));
        }
        else
        {
            _line.Append(',');
            Cell(row.GetString(4), neutralize: false);
        }
        for (var i = 0; i < _layer.Fields.Count; i++)
        {
            var field = _layer.Fields[i];
            if (!_shape.Includes(field.Name)) continue;
            var ordinal = LayerSql.FirstFieldOrdinal + i;
            _line.Append(',');
            if (row.IsDBNull(ordinal)) continue;
            switch (field.Kind)
            {
                case FieldKind.Text: Cell(row.GetString(ordinal), neutralize: true); break;
                case FieldKind.Integer: _line.Append(row.GetInt32(ordinal).ToString(CultureInfo.InvariantCulture)); break;
                case FieldKind.Number: _line.Append(Number(row.GetDouble(ordinal))); break;
                case FieldKind.Boolean: _line.Append(row.GetBoolean(ordinal) ? "true" : "false"); break;
                case FieldKind.Date: _line.Append(row.GetFieldValue<DateOnly>(ordinal).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
                case FieldKind.Timestamp: _line.Append(FeatureJson.Date(row.GetFieldValue<DateTime>(ordinal))); break;
                case FieldKind.Uuid: _line.Append(row.GetGuid(ordinal).ToString()); break;
            }
        }
        if (_shape.Includes("created_at")) _line.Append(',').Append(FeatureJson.Timestamp(row.GetFieldValue<DateTime>(2)));
        if (_shape.Includes("updated_at")) _line.Append(',').Append(FeatureJson.Timestamp(row.GetFieldValue<DateTime>(3)));
        if (_shape.Includes("version")) _line.Append(',').Append(row.GetInt32(1).ToString(CultureInfo.InvariantCulture));
        if (_shape.MapxTime && _layer.Time is { } time)
        {
            var (t0, t1) = FeatureJson.MapxTimes(row, _layer, time);
            if (_shape.Includes(FeatureJson.MapxStart)) _line.Append(',').Append(t0?.ToString(CultureInfo.InvariantCulture));
            if (_shape.Includes(FeatureJson.MapxEnd)) _line.Append(',').Append(t1?.ToString(CultureInfo.InvariantCulture));
        }
        _line.Append("\r\n");
        Emit();
        await RowWrittenAsync(ct);
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Quotes when needed (comma, quote, line break) and neutralizes formula-like text.</summary>
    private void Cell(string text, bool neutralize)
    {
        if (neutralize && text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r') text = "'" + text;
        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0) { _line.Append(text); return; }
        _line.Append('"').Append(text.Replace("\"", "\"\"")).Append('"');
    }

    private void Emit()
    {
        foreach (var chunk in _line.GetChunks()) Encoding.UTF8.GetBytes(chunk.Span, Pipe);
        _line.Clear();
    }
}

/// <summary>A GeoJSON FeatureCollection whose features are written as they arrive; the counts and links come last.</summary>
public sealed class CollectionWriter(PipeWriter pipe, LayerDefinition layer, FeatureShape shape, OgcCrs crs) : FeatureWriter(pipe)
{
    private readonly Utf8JsonWriter _json = new(pipe, FeatureJson.WriterOptions);

    public Utf8JsonWriter Json => _json;

    public void Begin(long? matched)
    {
        _json.WriteStartObject();
        _json.WriteString("type", "FeatureCollection");
        // Outside CRS84 a saved file would otherwise be read as lon/lat degrees (UTM metres as degrees): the legacy
        // crs member, which GDAL and QGIS read, goes with it. RFC 7946 output (CRS84) stays without one.
        if (crs.GeoJsonCrsName is { } name)
        {
            _json.WriteStartObject("crs");
            _json.WriteString("type", "name");
            _json.WriteStartObject("properties");
            _json.WriteString("name", name);
            _json.WriteEndObject();
            _json.WriteEndObject();
        }
        if (matched is { } m) _json.WriteNumber("numberMatched", m);
        _json.WriteString("timeStamp", FeatureJson.Timestamp(DateTime.UtcNow));
        _json.WritePropertyName("features");
        _json.WriteStartArray();
    }

    public override async ValueTask WriteAsync(DbDataReader row, CancellationToken ct)
    {
        FeatureJson.WriteFeature(_json, row, layer, shape);
        await RowWrittenAsync(ct);
    }

    protected override long Buffered => _json.BytesPending + base.Buffered;

    public override async ValueTask FlushAsync(CancellationToken ct)
    {
        _json.Flush();
        await Pipe.FlushAsync(ct);
    }

    public void End(int returned, IEnumerable<OgcLink> links)
    {
        _json.WriteEndArray();
        _json.WriteNumber("numberReturned", returned);
        _json.WritePropertyName("links");
        OgcLink.WriteArray(_json, links);
        _json.WriteEndObject();
        _json.Flush();
    }
}
