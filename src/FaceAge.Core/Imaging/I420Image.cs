using OpenCvSharp;

namespace FaceAge.Core.Imaging;

/// <summary>
/// A frame as decoded video gives it: planar YUV 4:2:0 (I420; the Y plane, then U and V at half width and height) in
/// one 8-bit buffer of <c>Height × 3/2</c> rows of <c>Width</c> bytes. BGR is made only where asked (see
/// <see cref="IFrameImage"/>), with OpenCV's conversion (BT.601, video range) everywhere, so a region is exactly that
/// part of the whole frame's conversion. Buffers come from pools when given and go back on dispose.
/// </summary>
public sealed class I420Image : IFrameImage, IDisposable
{
    private readonly Mat _yuv;
    private readonly MatPool? _yuvPool, _bgrPool;
    private readonly Lock _gate = new();
    private Mat? _bgr;

    // Per-thread half-size I420 frame, reused: the halving is made in YUV (a quarter of the bytes of BGR) and converted small.
    [ThreadStatic] private static Mat? _halfYuv;

    /// <param name="yuv">Width × Height×3/2, 8-bit, continuous; owned by this image from now on.</param>
    public I420Image(Mat yuv, int width, int height, MatPool? yuvPool = null, MatPool? bgrPool = null)
    {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0)
            throw new ArgumentException($"I420 needs an even width and height, got {width}x{height}.");
        if (yuv.Type() != MatType.CV_8UC1 || yuv.Cols != width || yuv.Rows != height * 3 / 2 || !yuv.IsContinuous())
            throw new ArgumentException($"An I420 frame of {width}x{height} is one continuous 8-bit buffer of {width}x{height * 3 / 2}.");
        _yuv = yuv;
        Width = width;
        Height = height;
        _yuvPool = yuvPool;
        _bgrPool = bgrPool;
    }

    /// <summary>A BGR image (even sides) as a camera would hand it over: converted to I420, in a buffer from <paramref name="yuvPool"/> if given.</summary>
    public static I420Image FromBgr(Mat bgr, MatPool? yuvPool = null, MatPool? bgrPool = null)
    {
        var yuv = yuvPool?.Rent() ?? new Mat();
        Cv2.CvtColor(bgr, yuv, ColorConversionCodes.BGR2YUV_I420);
        return new I420Image(yuv, bgr.Width, bgr.Height, yuvPool, bgrPool);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The I420 buffer (Y rows, then U, then V).</summary>
    public Mat Yuv => _yuv;

    public Mat Bgr
    {
        get
        {
            lock (_gate)
            {
                if (_bgr is null)
                {
                    var bgr = _bgrPool?.Rent() ?? new Mat(Height, Width, MatType.CV_8UC3);
                    Cv2.CvtColor(_yuv, bgr, ColorConversionCodes.YUV2BGR_I420);
                    _bgr = bgr;
                }
                return _bgr;
            }
        }
    }

    /// <summary>
    /// Luma is averaged over each 2×2 block and the chroma planes, already at half size, are averaged the same way
    /// into a half-size I420 frame, which is converted. Colour is then a little softer than in a halving of
    /// <see cref="Bgr"/> (chroma at a quarter of the half's size, as in any I420 frame of that size); brightness, what a
    /// face detector sees most, is the same average. Sizes that do not halve into an I420 frame (not multiples of 4) are
    /// halved from <see cref="Bgr"/>.
    /// </summary>
    public void HalveInto(Mat destination)
    {
        int w = Width / 2, h = Height / 2;
        if (w % 2 != 0 || h % 2 != 0)
        {
            new BgrImage(Bgr).HalveInto(destination);
            return;
        }
        var half = _halfYuv;
        if (half is null || half.Cols != w || half.Rows != h * 3 / 2)
        {
            half?.Dispose();
            half = _halfYuv = new Mat(h * 3 / 2, w, MatType.CV_8UC1);
        }
        using (var y = new Mat(_yuv, new Rect(0, 0, Width, Height)))
        using (var halfY = new Mat(half, new Rect(0, 0, w, h)))
            Cv2.Resize(y, halfY, new Size(w, h), 0, 0, InterpolationFlags.Area);
        for (int plane = 0; plane < 2; plane++)
        {
            using var chroma = Plane(_yuv, Width, Height, plane);
            using var halfChroma = Plane(half, w, h, plane);
            Cv2.Resize(chroma, halfChroma, new Size(w / 2, h / 2), 0, 0, InterpolationFlags.Area);
        }
        Cv2.CvtColor(half, destination, ColorConversionCodes.YUV2BGR_I420);
    }

    // Per-thread buffers for regions (the planes' part, and its BGR), grown as needed and never shrunk: a crop a sample
    // allocating blocks of every face's size left glibc's heap holding ever more free fragments (a 30-minute soak).
    [ThreadStatic] private static Mat? _regionYuv, _regionBgr;

    /// <summary>
    /// The region's rows of the three planes, widened to even pixels (where I420's 2×2 chroma blocks start), are
    /// converted on their own and the region cut from that: the same pixels as in <see cref="Bgr"/>, for a fraction of
    /// the work when the region is a face. The pixels live in a buffer of this thread (or in <see cref="Bgr"/> once
    /// made), valid until this thread's next call and this frame's disposal; use them at once.
    /// </summary>
    public Mat Region(Rect region)
    {
        if (region.X < 0 || region.Y < 0 || region.Width <= 0 || region.Height <= 0 || region.Right > Width || region.Bottom > Height)
            throw new ArgumentOutOfRangeException(nameof(region), $"{region} is not inside the {Width}x{Height} frame.");
        lock (_gate)
            if (_bgr is not null) return new Mat(_bgr, region);
        int x0 = region.X & ~1, y0 = region.Y & ~1;
        int x1 = Math.Min(Width, (region.Right + 1) & ~1), y1 = Math.Min(Height, (region.Bottom + 1) & ~1);
        int w = x1 - x0, h = y1 - y0;
        using var part = Mat.FromPixelData(h * 3 / 2, w, MatType.CV_8UC1, Grown(ref _regionYuv, w * h * 3 / 2).Data);
        using (var y = new Mat(_yuv, new Rect(x0, y0, w, h)))
        using (var partY = new Mat(part, new Rect(0, 0, w, h)))
            y.CopyTo(partY);
        for (int plane = 0; plane < 2; plane++)
        {
            using var chroma = Plane(_yuv, Width, Height, plane);
            using var from = new Mat(chroma, new Rect(x0 / 2, y0 / 2, w / 2, h / 2));
            using var to = Plane(part, w, h, plane);
            from.CopyTo(to);
        }
        using var bgr = Mat.FromPixelData(h, w, MatType.CV_8UC3, Grown(ref _regionBgr, w * h * 3).Data);
        Cv2.CvtColor(part, bgr, ColorConversionCodes.YUV2BGR_I420);
        return new Mat(bgr, new Rect(region.X - x0, region.Y - y0, region.Width, region.Height));
    }

    private static Mat Grown(ref Mat? buffer, int bytes)
    {
        if (buffer is null || buffer.Total() < bytes)
        {
            buffer?.Dispose();
            buffer = new Mat(1, Math.Max(bytes, 256 * 1024), MatType.CV_8UC1);
        }
        return buffer;
    }

    /// <summary>The U (0) or V (1) plane of an I420 buffer of width × height, as a Mat over its bytes.</summary>
    private static Mat Plane(Mat yuv, int width, int height, int plane)
        => Mat.FromPixelData(height / 2, width / 2, MatType.CV_8UC1, yuv.Data + width * height + plane * (width / 2) * (height / 2));

    public void Dispose()
    {
        lock (_gate)
        {
            if (_bgr is not null)
            {
                if (_bgrPool is not null) _bgrPool.Return(_bgr);
                else _bgr.Dispose();
                _bgr = null;
            }
        }
        if (_yuvPool is not null) _yuvPool.Return(_yuv);
        else _yuv.Dispose();
    }
}
