using MudBlazor;

namespace PortMapper.Web.Components.Layout;

/// <summary>
/// PortMapper's one theme: the MudBlazor palettes (light and dark) and the graph colours drawn from them, so that
/// the page, the Cytoscape canvas and the PNG/SVG exports always agree. Every text colour here meets WCAG AA
/// contrast on the backgrounds it is used on (the axe-core checks in tests/PortMapper.EndToEnd hold us to it).
/// </summary>
public static class PortMapperTheme
{
    /// <summary>The cookie that remembers an explicit choice ("light" or "dark"); absent: follow the system.</summary>
    public const string Cookie = "pm-theme";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fbf",
            Secondary = "#0f7b6c",
            Tertiary = "#7b3fb5",
            Info = "#2f5d8a",
            Success = "#1e7d3a",
            Warning = "#8a5a00",
            Error = "#b3261e",
            AppbarBackground = "#ffffff",
            AppbarText = "#1d2733",
            Background = "#f6f8fb",
            BackgroundGray = "#eef1f5",
            Surface = "#ffffff",
            TextPrimary = "#1d2733",
            TextSecondary = "#4f5b6a",
            ActionDefault = "#4f5b6a",
            LinesDefault = "#dfe3ea",
            LinesInputs = "#8a95a3",
            TableLines = "#e6e9ef",
            Divider = "#dfe3ea",
            DrawerBackground = "#ffffff",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8ab4f8",
            Secondary = "#5fd4c0",
            Tertiary = "#c9a3f0",
            Info = "#8fb8e6",
            Success = "#6fcf8d",
            Warning = "#f0b95a",
            Error = "#f28b82",
            PrimaryContrastText = "#0b1a33",
            SuccessContrastText = "#08210f",
            WarningContrastText = "#2a1a00",
            ErrorContrastText = "#2b0906",
            InfoContrastText = "#0b1a33",
            AppbarBackground = "#1b2029",
            AppbarText = "#e6e9ef",
            Background = "#12161c",
            BackgroundGray = "#1b2029",
            Surface = "#1b2029",
            TextPrimary = "#e6e9ef",
            TextSecondary = "#b4bcc8",
            ActionDefault = "#b4bcc8",
            LinesDefault = "#323a46",
            LinesInputs = "#6b7685",
            TableLines = "#2a313c",
            Divider = "#323a46",
            DrawerBackground = "#1b2029",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Noto Sans", "Liberation Sans", "sans-serif"],
            },
            // Sentence-case buttons: "Dry run", not "DRY RUN".
            Button = new ButtonTypography { TextTransform = "none", FontWeight = "500" },
        },
        LayoutProperties = new LayoutProperties { AppbarHeight = "3.5rem", DefaultBorderRadius = "6px" },
    };

    /// <summary>The graph's colours for one palette; the module builds its Cytoscape styles and exports from them.</summary>
    public static GraphPalette Graph(bool dark) => dark ? DarkGraph : LightGraph;

    private static readonly GraphPalette LightGraph = new()
    {
        Name = "light",
        Background = "#ffffff",
        Text = "#1d2733",
        MutedText = "#4f5b6a",
        NodeFill = "#ffffff",
        NodeBorder = "#9aa5b1",
        LabelBackground = "#ffffff",
        Ok = "#8a97a8",
        Degraded = "#a86400",
        DegradedFill = "#fff5dc",
        Broken = "#b3261e",
        BrokenFill = "#fdecea",
        Highlight = "#0b57d0",
        HighlightFill = "#dbe8ff",
        Added = "#1e7d3a",
        Match = "#ffd400",
        BandFill = "#f7f9fc",
        BandBorder = "#c9d2dd",
        CollapsedFill = "#f1f4f8",
        CollapsedBorder = "#6b7889",
        Kinds = new Dictionary<string, KindColours>(StringComparer.Ordinal)
        {
            ["client"] = new("#eef2f7", "#5f6b7a"),
            ["loadBalancer"] = new("#f4ecfc", "#7b3fb5"),
            ["ingress"] = new("#e7f6f3", "#0f7b6c"),
            ["gateway"] = new("#e6f4fa", "#0b6e99"),
            ["nodePort"] = new("#e8f0fa", "#1f5fbf"),
            ["node"] = new("#e8f0fa", "#1f5fbf"),
            ["externalIP"] = new("#ecebfb", "#4b46b8"),
            ["hostPort"] = new("#fbf1e7", "#9a5410"),
            ["hostNetwork"] = new("#fbf1e7", "#9a5410"),
            ["service"] = new("#ffffff", "#1f5fbf"),
            ["dns"] = new("#ffffff", "#1f5fbf"),
            ["pods"] = new("#e9f6ee", "#1e7d3a"),
            ["pod"] = new("#e9f6ee", "#1e7d3a"),
            ["externalName"] = new("#f3f4f6", "#6b7280"),
            ["backend"] = new("#f3f4f6", "#6b7280"),
        },
    };

    private static readonly GraphPalette DarkGraph = new()
    {
        Name = "dark",
        Background = "#12161c",
        Text = "#e6e9ef",
        MutedText = "#b4bcc8",
        NodeFill = "#1b2029",
        NodeBorder = "#6b7685",
        LabelBackground = "#12161c",
        Ok = "#7d8a9c",
        Degraded = "#f0b95a",
        DegradedFill = "#33270f",
        Broken = "#f28b82",
        BrokenFill = "#3a1a18",
        Highlight = "#8ab4f8",
        HighlightFill = "#1f3354",
        Added = "#6fcf8d",
        Match = "#c9a500",
        BandFill = "#171b22",
        BandBorder = "#323a46",
        CollapsedFill = "#1f252f",
        CollapsedBorder = "#7d8a9c",
        Kinds = new Dictionary<string, KindColours>(StringComparer.Ordinal)
        {
            ["client"] = new("#222833", "#9aa5b4"),
            ["loadBalancer"] = new("#2a2038", "#c9a3f0"),
            ["ingress"] = new("#13302c", "#5fd4c0"),
            ["gateway"] = new("#112b36", "#6cc7ec"),
            ["nodePort"] = new("#172a45", "#8ab4f8"),
            ["node"] = new("#172a45", "#8ab4f8"),
            ["externalIP"] = new("#232247", "#aaa6f2"),
            ["hostPort"] = new("#35240f", "#e8a860"),
            ["hostNetwork"] = new("#35240f", "#e8a860"),
            ["service"] = new("#1b2029", "#8ab4f8"),
            ["dns"] = new("#1b2029", "#8ab4f8"),
            ["pods"] = new("#142d1c", "#6fcf8d"),
            ["pod"] = new("#142d1c", "#6fcf8d"),
            ["externalName"] = new("#252a31", "#9ca3af"),
            ["backend"] = new("#252a31", "#9ca3af"),
        },
    };
}

/// <summary>A node kind's fill and border.</summary>
public sealed record KindColours(string Fill, string Border);

/// <summary>Every colour the graph module draws with (serialized to it as camelCase JSON).</summary>
public sealed record GraphPalette
{
    /// <summary>"light" or "dark": the canvas carries it as data-theme.</summary>
    public required string Name { get; init; }

    public required string Background { get; init; }

    public required string Text { get; init; }

    public required string MutedText { get; init; }

    public required string NodeFill { get; init; }

    public required string NodeBorder { get; init; }

    public required string LabelBackground { get; init; }

    public required string Ok { get; init; }

    public required string Degraded { get; init; }

    public required string DegradedFill { get; init; }

    public required string Broken { get; init; }

    public required string BrokenFill { get; init; }

    public required string Highlight { get; init; }

    public required string HighlightFill { get; init; }

    public required string Added { get; init; }

    public required string Match { get; init; }

    public required string BandFill { get; init; }

    public required string BandBorder { get; init; }

    public required string CollapsedFill { get; init; }

    public required string CollapsedBorder { get; init; }

    public required IReadOnlyDictionary<string, KindColours> Kinds { get; init; }
}
