using System;
using System.IO;
using SkiaSharp;
using Svg.Skia;

namespace CnnDsl.Cli
{
    /// <summary>Writes a diagram's SVG text, or a PNG drawn from that text at twice its size so that it stays sharp on high-density screens.</summary>
    internal static class DiagramFile
    {
        const float PngScale = 2;

        public static void Write(string svg, string path)
        {
            if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                File.WriteAllText(path, svg);
                return;
            }
            using var document = new SKSvg();
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(svg));
            var picture = document.Load(stream) ?? throw new InvalidOperationException("the diagram's SVG could not be drawn");
            var bounds = picture.CullRect;
            using var bitmap = new SKBitmap((int)Math.Ceiling(bounds.Width * PngScale), (int)Math.Ceiling(bounds.Height * PngScale));
            using var canvas = new SKCanvas(bitmap);
            canvas.Clear(SKColors.White);
            canvas.Scale(PngScale);
            canvas.DrawPicture(picture);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            using var file = File.Create(path);
            data.SaveTo(file);
        }
    }
}
