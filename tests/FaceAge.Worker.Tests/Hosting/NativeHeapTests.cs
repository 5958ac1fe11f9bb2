using System.Runtime.InteropServices;
using FaceAge.Worker.Hosting;

namespace FaceAge.Worker.Tests.Hosting;

public class NativeHeapTests
{
    private const int Blocks = 600, BlockBytes = 100_000; // 60 MB in blocks below malloc's mmap threshold, as frame-sized work leaves them

    [Fact]
    public void Freed_native_blocks_show_as_free_and_a_trim_hands_their_pages_back_to_the_os()
    {
        Assert.True(NativeHeap.Usage() is not null, "glibc's mallinfo2 is missing: the worker cannot tell native use from retention here");
        var blocks = new IntPtr[Blocks];
        // Allocated and freed on a thread of their own, like a stage thread's arena.
        RunOnThread(() =>
        {
            for (int i = 0; i < Blocks; i++)
            {
                blocks[i] = Marshal.AllocHGlobal(BlockBytes);
                unsafe { new Span<byte>((void*)blocks[i], BlockBytes).Fill(1); } // resident, not just reserved
            }
        });
        var (inUseAllocated, _) = NativeHeap.Usage()!.Value;
        // The last block stays in use, so the freed ones lie below it and free() alone cannot shrink the heap.
        RunOnThread(() => { for (int i = 0; i < Blocks - 1; i++) Marshal.FreeHGlobal(blocks[i]); });
        try
        {
            var (inUseFreed, freeBytes) = NativeHeap.Usage()!.Value;
            Assert.True(inUseAllocated - inUseFreed > 50_000_000, $"in use {inUseAllocated} → {inUseFreed} bytes after freeing 60 MB");
            Assert.True(freeBytes > 50_000_000, $"free {freeBytes} bytes after freeing 60 MB");

            long before = ResidentBytes();
            Assert.True(NativeHeap.Trim());
            long after = ResidentBytes();
            Assert.True(before - after > 40_000_000, $"resident {before / 1048576} MiB → {after / 1048576} MiB after the trim");
        }
        finally
        {
            Marshal.FreeHGlobal(blocks[^1]);
        }
    }

    [Fact]
    public void The_arena_cap_is_accepted()
    {
        Assert.True(NativeHeap.LimitArenas());
    }

    private static void RunOnThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        thread.Join();
    }

    private static long ResidentBytes()
    {
        // VmRSS from /proc: Process.WorkingSet64 is cached until Refresh and rounds the same way.
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
