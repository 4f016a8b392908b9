using System;
using System.Linq;
using Spectre.Console;

namespace CnnDsl.Training
{
    /// <summary>
    /// Shows training progress: a live bar per epoch (steps/s, ETA, running loss and accuracy) on a terminal, one plain
    /// line per epoch when output is redirected or on CI. The live display reads the running loss and accuracy at most
    /// once a second; the plain lines read them once per epoch, so the display never slows training.
    /// </summary>
    internal sealed class Progress : IDisposable
    {
        readonly bool live;
        readonly int epochs;
        readonly int steps;
        readonly System.Diagnostics.Stopwatch clock = new System.Diagnostics.Stopwatch();
        int epoch;
        TimeSpan lastMetrics;
        string metricsText = "";
        ProgressTask? task;
        Spectre.Console.Progress? progress;
        System.Threading.Tasks.Task? running;
        readonly System.Threading.ManualResetEventSlim done = new System.Threading.ManualResetEventSlim();
        readonly System.Threading.ManualResetEventSlim started = new System.Threading.ManualResetEventSlim();

        public Progress(ProgressMode mode, int epochs, int steps)
        {
            this.epochs = epochs;
            this.steps = steps;
            live = mode == ProgressMode.Live || (mode == ProgressMode.Auto && !Console.IsOutputRedirected
                && Environment.GetEnvironmentVariable("CI") == null && AnsiConsole.Profile.Capabilities.Interactive);
            Enabled = mode != ProgressMode.None;
        }

        public bool Enabled { get; }

        public void BeginEpoch(int epoch)
        {
            if (!live || !Enabled)
                return;
            done.Reset();
            started.Reset();
            progress = AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn());
            this.epoch = epoch;
            metricsText = "";
            lastMetrics = TimeSpan.Zero;
            clock.Restart();
            running = System.Threading.Tasks.Task.Run(() => progress.Start(context =>
            {
                task = context.AddTask($"Epoch {epoch}/{epochs}", maxValue: steps);
                started.Set();
                done.Wait();
            }));
            started.Wait();
        }

        /// <summary>Whether the live display wants the running loss and accuracy now (at most once a second).</summary>
        public bool WantsMetrics => live && task != null && clock.Elapsed - lastMetrics >= TimeSpan.FromSeconds(1);

        /// <summary>Shows the running loss and accuracy of the epoch so far.</summary>
        public void ShowMetrics(double loss, double? accuracy)
        {
            lastMetrics = clock.Elapsed;
            metricsText = $"  loss {loss:0.0000}" + (accuracy is double a ? $"  accuracy {a:0.0000}" : "");
        }

        public void Step()
        {
            if (!live || task == null)
                return;
            task.Increment(1);
            // Steps per second from the wall clock: no need to wait for the device.
            if ((int)task.Value % 10 == 0 || task.Value >= steps)
                task.Description = $"Epoch {epoch}/{epochs}  {task.Value / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):0.0} steps/s{metricsText}";
        }

        public void EndEpoch(EpochMetrics metrics, int stepCount)
        {
            if (live)
            {
                done.Set();
                running?.Wait();
            }
            if (!Enabled)
                return;
            var line = $"Epoch {metrics.Epoch}/{epochs} - {metrics.Seconds:0.0}s - {stepCount / Math.Max(metrics.Seconds, 1e-9):0.0} steps/s - {metrics.ImagesPerSecond:0} images/s - loss: {metrics.Loss:0.0000}"
                + (metrics.Accuracy is double a ? $" - accuracy: {a:0.0000}" : "")
                + (metrics.ValidationLoss is double vl ? $" - val_loss: {vl:0.0000}" : "")
                + (metrics.ValidationAccuracy is double va ? $" - val_accuracy: {va:0.0000}" : "")
                + string.Concat(metrics.Extra.Select(m => $" - {m.Key}: {m.Value:0.0000}"));
            Console.WriteLine(line);
        }

        public void Dispose()
        {
            done.Set();
            running?.Wait();
        }
    }

    public enum ProgressMode
    {
        /// <summary>Live on a terminal, plain lines when redirected or on CI.</summary>
        Auto,
        Live,
        Lines,
        None,
    }
}
