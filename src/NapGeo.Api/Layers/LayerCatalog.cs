using NapGeo.Hotspots;
using NapGeo.Samples;
using NapGeo.Sites;

namespace NapGeo.Layers;

/// <summary>Every layer NapGeo serves; tiles, OGC collections and downloads are derived from this list.</summary>
public static class LayerCatalog
{
    public static readonly IReadOnlyList<LayerDefinition> All =
        [SitesLayer.Definition, HotspotsLayer.Definition, SamplesLayer.Definition];

    public static LayerDefinition? Find(string name) => All.FirstOrDefault(l => l.Name == name);
}
