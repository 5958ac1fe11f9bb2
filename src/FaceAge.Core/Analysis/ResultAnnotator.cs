using OpenCvSharp;

namespace FaceAge.Core.Analysis;

/// <summary>Draws face boxes and "F 27 ±4" labels onto an image (for --annotate and the live view).</summary>
public static class ResultAnnotator
{
    public static void Draw(Mat bgr, IEnumerable<FaceResult> faces)
    {
        foreach (var face in faces)
            DrawFace(bgr, face.Detection.Box, face.Gender, face.Age, face.AgeUncertainty);
    }

    /// <summary>The box colour of a face turned to the screen (the live page): green, unlike either gender's label colour.</summary>
    public static readonly Scalar LookingColor = new(60, 220, 60);

    /// <summary>
    /// One face box; with a gender and age, a label above it; without (not yet estimated), a grey box. A face that
    /// <paramref name="looking"/> at the screen gets a green box (its label keeps the gender's colour).
    /// </summary>
    public static void DrawFace(Mat bgr, Detection.BoxF b, Gender? gender, double? age, double? uncertainty, bool looking = false)
    {
        double scale = Math.Clamp(Math.Max(bgr.Width, bgr.Height) / 1000.0, 0.5, 2.0);
        int thickness = Math.Max(1, (int)Math.Round(2 * scale));
        var color = gender switch { Gender.Female => new Scalar(180, 80, 255), Gender.Male => new Scalar(255, 160, 40), _ => new Scalar(160, 160, 160) };
        var rect = new Rect((int)b.X, (int)b.Y, (int)b.Width, (int)b.Height);
        Cv2.Rectangle(bgr, rect, looking ? LookingColor : color, looking ? thickness + 1 : thickness);
        if (gender is not { } g || age is not { } a) return;
        // Hershey fonts are ASCII only, so "±" is drawn as lines between the two text parts.
        var font = HersheyFonts.HersheySimplex;
        double fontScale = 0.6 * scale;
        var head = $"{(g == Gender.Female ? "F" : "M")} {a:0} ";
        var tail = $"{uncertainty ?? 0:0}";
        var headSize = Cv2.GetTextSize(head, font, fontScale, thickness, out int baseline);
        var tailSize = Cv2.GetTextSize(tail, font, fontScale, thickness, out _);
        int glyph = headSize.Height;
        int width = headSize.Width + glyph + tailSize.Width + 8;
        int top = Math.Max(0, rect.Y - headSize.Height - baseline - 4);
        Cv2.Rectangle(bgr, new Rect(rect.X, top, width, headSize.Height + baseline + 4), color, -1);
        int textY = top + headSize.Height + 2, x = rect.X + 3;
        Cv2.PutText(bgr, head, new Point(x, textY), font, fontScale, Scalar.White, thickness, LineTypes.AntiAlias);
        x += headSize.Width;
        int mid = textY - glyph / 2 - 1, half = glyph / 2;
        Cv2.Line(bgr, new Point(x, mid), new Point(x + glyph - 2, mid), Scalar.White, thickness);
        Cv2.Line(bgr, new Point(x + half - 1, mid - half + 1), new Point(x + half - 1, mid + half - 1), Scalar.White, thickness);
        Cv2.Line(bgr, new Point(x, textY), new Point(x + glyph - 2, textY), Scalar.White, thickness);
        Cv2.PutText(bgr, tail, new Point(x + glyph + 2, textY), font, fontScale, Scalar.White, thickness, LineTypes.AntiAlias);
    }
}
