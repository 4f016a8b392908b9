using System;
using System.Collections.Generic;
using System.IO;
using SkiaSharp;

namespace CnnDsl.Runtime.Tests.Infrastructure;

/// <summary>Writes real image files for the tests: PNG, JPEG and WebP through SkiaSharp, BMP and GIF by hand (Skia cannot encode them).</summary>
public static class TestImages
{
    /// <summary>An RGB image with gradients and seeded noise, as interleaved RGB bytes.</summary>
    public static byte[] Pattern(int width, int height, int seed, int noise = 40)
    {
        var random = new Random(seed);
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = 3 * (y * width + x);
                rgb[i] = (byte)Math.Clamp(255 * x / Math.Max(1, width - 1) + random.Next(-noise, noise + 1), 0, 255);
                rgb[i + 1] = (byte)Math.Clamp(255 * y / Math.Max(1, height - 1) + random.Next(-noise, noise + 1), 0, 255);
                rgb[i + 2] = (byte)Math.Clamp(128 + 100 * Math.Sin((x + 2 * y + seed) / 5.0) + random.Next(-noise, noise + 1), 0, 255);
            }
        return rgb;
    }

    public static void Write(string path, byte[] rgb, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 95)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = Bitmap(rgb, width, height);
        using var pixmap = bitmap.PeekPixels();
        using var data = (format == SKEncodedImageFormat.Webp
            ? pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100))
            : pixmap.Encode(format, quality)) ?? throw new InvalidOperationException($"SkiaSharp could not encode {format}");
        File.WriteAllBytes(path, data.ToArray());
    }

    static SKBitmap Bitmap(byte[] rgb, int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var rgba = new byte[width * height * 4];
        for (int i = 0; i < width * height; i++)
        {
            rgba[4 * i] = rgb[3 * i];
            rgba[4 * i + 1] = rgb[3 * i + 1];
            rgba[4 * i + 2] = rgb[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }

    /// <summary>A JPEG with the given chroma subsampling.</summary>
    public static void WriteJpeg(string path, byte[] rgb, int width, int height, int quality, SKJpegEncoderDownsample downsample)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = Bitmap(rgb, width, height);
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKJpegEncoderOptions(quality, downsample, SKJpegEncoderAlphaOption.Ignore)) ?? throw new InvalidOperationException("SkiaSharp could not encode the JPEG");
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>A grey PNG (colour type 0), or a one-component JPEG, from one byte per pixel.</summary>
    public static void WriteGrey(string path, byte[] grey, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(grey, 0, bitmap.GetPixels(), grey.Length);
        using var data = bitmap.Encode(format, format == SKEncodedImageFormat.Jpeg ? 90 : 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>A 24-bit uncompressed BMP (rows bottom-up, BGR, padded to 4 bytes).</summary>
    public static void WriteBmp(string path, byte[] rgb, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int stride = (width * 3 + 3) / 4 * 4;
        var file = new byte[54 + stride * height];
        void Int(int offset, int value) => BitConverter.GetBytes(value).CopyTo(file, offset);
        file[0] = (byte)'B';
        file[1] = (byte)'M';
        Int(2, file.Length);
        Int(10, 54);
        Int(14, 40);
        Int(18, width);
        Int(22, height);
        file[26] = 1;
        file[28] = 24;
        Int(34, stride * height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int source = 3 * (y * width + x), target = 54 + (height - 1 - y) * stride + 3 * x;
                file[target] = rgb[source + 2];
                file[target + 1] = rgb[source + 1];
                file[target + 2] = rgb[source];
            }
        File.WriteAllBytes(path, file);
    }

    /// <summary>
    /// A GIF with a 256-level grey palette. The LZW stream sends a clear code every 200 pixels, so codes stay 9 bits
    /// wide and no compression is needed to write a valid file.
    /// </summary>
    public static void WriteGreyGif(string path, byte[] grey, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new List<byte>();
        bytes.AddRange("GIF89a"u8.ToArray());
        bytes.AddRange(new[] { (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), (byte)0xF7, (byte)0, (byte)0 });
        for (int i = 0; i < 256; i++)
            bytes.AddRange(new[] { (byte)i, (byte)i, (byte)i });
        bytes.AddRange(new byte[] { 0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0, 8 });
        var codes = new List<int> { 256 };
        for (int i = 0; i < grey.Length; i++)
        {
            if (i > 0 && i % 200 == 0)
                codes.Add(256);
            codes.Add(grey[i]);
        }
        codes.Add(257);
        var packed = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var code in codes)
        {
            buffer |= code << bits;
            bits += 9;
            while (bits >= 8)
            {
                packed.Add((byte)buffer);
                buffer >>= 8;
                bits -= 8;
            }
        }
        if (bits > 0)
            packed.Add((byte)buffer);
        for (int i = 0; i < packed.Count; i += 255)
        {
            int n = Math.Min(255, packed.Count - i);
            bytes.Add((byte)n);
            bytes.AddRange(packed.GetRange(i, n));
        }
        bytes.Add(0);
        bytes.Add(0x3B);
        File.WriteAllBytes(path, bytes.ToArray());
    }
}
