using System;

namespace CnnDsl.Training
{
    /// <summary>Whether a schedule's index counts optimizer steps or epochs.</summary>
    public enum ScheduleUnit
    {
        /// <summary>The learning rate changes before every step; the index is the step across training, from 0.</summary>
        Step,
        /// <summary>The learning rate changes at the start of every epoch; the index is the epoch, from 0.</summary>
        Epoch,
    }

    /// <summary>
    /// Learning-rate schedules as functions of the step (or epoch) index from 0, with PyTorch 1.13's formulas, so that a
    /// run equals one with the same PyTorch scheduler. Pass one to <see cref="LearningRateScheduler"/>; a schedule is a
    /// plain function, so a resumed run continues it exactly.
    /// </summary>
    public static class Schedules
    {
        /// <summary><c>initial * gamma^(t // stepSize)</c>: PyTorch's <c>StepLR</c>.</summary>
        public static Func<long, double> Step(double initial, long stepSize, double gamma = 0.1)
        {
            Positive(initial, nameof(initial));
            if (stepSize < 1)
                throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be at least 1.");
            return t => initial * Math.Pow(gamma, t / stepSize);
        }

        /// <summary><c>initial * gamma^t</c>: PyTorch's <c>ExponentialLR</c>, Keras' <c>ExponentialDecay</c> with a decay step of 1.</summary>
        public static Func<long, double> Exponential(double initial, double gamma)
        {
            Positive(initial, nameof(initial));
            Positive(gamma, nameof(gamma));
            return t => initial * Math.Pow(gamma, t);
        }

        /// <summary>
        /// Cosine decay from <paramref name="initial"/> to <paramref name="minimum"/> over <paramref name="total"/> steps,
        /// after an optional linear warm-up over the first <paramref name="warmup"/> steps from
        /// <c>initial * warmupStartFactor</c>: PyTorch's <c>SequentialLR([LinearLR(start_factor, total_iters=warmup),
        /// CosineAnnealingLR(T_max=total - warmup, eta_min=minimum)], milestones=[warmup])</c>. Past the end it stays at the minimum.
        /// </summary>
        public static Func<long, double> CosineDecay(double initial, long total, long warmup = 0, double warmupStartFactor = 1.0 / 3, double minimum = 0)
        {
            Positive(initial, nameof(initial));
            if (warmup < 0 || total <= warmup)
                throw new ArgumentOutOfRangeException(nameof(total), total, $"The schedule needs more steps ({total}) than its warm-up ({warmup}), and a warm-up of 0 or more.");
            if (!(warmupStartFactor > 0 && warmupStartFactor <= 1))
                throw new ArgumentOutOfRangeException(nameof(warmupStartFactor), warmupStartFactor, "The warm-up starts at a fraction of the rate above 0 and at most 1.");
            if (minimum < 0 || minimum > initial)
                throw new ArgumentOutOfRangeException(nameof(minimum), minimum, "The minimum is between 0 and the initial rate.");
            return t =>
            {
                if (t < warmup)
                    return initial * (warmupStartFactor + (1 - warmupStartFactor) * t / warmup);
                long done = Math.Min(t - warmup, total - warmup);
                return minimum + (initial - minimum) * (1 + Math.Cos(Math.PI * done / (total - warmup))) / 2;
            };
        }

        /// <summary>
        /// The one-cycle policy (Smith): from <c>maximum / divFactor</c> up to <paramref name="maximum"/> over the first
        /// <paramref name="pctStart"/> of <paramref name="total"/> steps, then down to <c>maximum / divFactor / finalDivFactor</c>,
        /// both by cosine: PyTorch's <c>OneCycleLR</c> with its defaults (its momentum cycling is not done here).
        /// </summary>
        public static Func<long, double> OneCycle(double maximum, long total, double pctStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4)
        {
            Positive(maximum, nameof(maximum));
            if (total < 2)
                throw new ArgumentOutOfRangeException(nameof(total), total, "A cycle needs at least 2 steps.");
            if (!(pctStart > 0 && pctStart < 1))
                throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "The rising part is a fraction between 0 and 1.");
            double start = maximum / divFactor, end = start / finalDivFactor;
            double peakStep = pctStart * total - 1, lastStep = total - 1;
            static double Anneal(double from, double to, double fraction) => to + (from - to) / 2 * (Math.Cos(Math.PI * fraction) + 1);
            return t =>
            {
                double step = Math.Min(t, lastStep);
                return step <= peakStep
                    ? Anneal(start, maximum, step / peakStep)
                    : Anneal(maximum, end, (step - peakStep) / (lastStep - peakStep));
            };
        }

        static void Positive(double value, string name)
        {
            if (!(value > 0) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive number.");
        }
    }

    /// <summary>
    /// Sets the learning rate from a schedule before every step (or at the start of every epoch), as Keras'
    /// <c>LearningRateScheduler</c> and PyTorch's schedulers do; parameter groups keep their ratios (a backbone at a tenth of
    /// the head's rate stays at a tenth). The rate depends only on the step or epoch, so a run resumed from a checkpoint
    /// follows the schedule exactly. A <see cref="ReduceLROnPlateau"/> beside it scales the schedule from its first reduction on.
    /// </summary>
    public sealed class LearningRateScheduler : Callback
    {
        readonly Func<int, long, double> schedule;
        readonly ScheduleUnit unit;

        /// <param name="schedule">The rate for index t (the step across training, or the epoch, from 0), e.g. <see cref="Schedules.CosineDecay"/>.</param>
        /// <param name="unit">Whether t counts steps (the rate changes every step) or epochs.</param>
        public LearningRateScheduler(Func<long, double> schedule, ScheduleUnit unit = ScheduleUnit.Step)
            : this(unit == ScheduleUnit.Step ? (epoch, step) => schedule(step) : (epoch, step) => schedule(epoch - 1), unit)
        {
        }

        /// <param name="schedule">The user's own rate of (epoch from 1, step across training from 0).</param>
        /// <param name="unit">When the rate is set: before every step, or before every epoch.</param>
        public LearningRateScheduler(Func<int, long, double> schedule, ScheduleUnit unit = ScheduleUnit.Step)
        {
            this.schedule = schedule;
            this.unit = unit;
        }

        public override void OnEpochBegin(TrainingContext context, int epoch) => Set(context, epoch, (long)(epoch - 1) * context.StepsPerEpoch);

        public override void OnTrainBatchBegin(TrainingContext context, TrainBatch batch)
        {
            if (unit == ScheduleUnit.Step)
                Set(context, batch.Epoch, batch.GlobalStep);
        }

        void Set(TrainingContext context, int epoch, long step)
        {
            double rate = schedule(epoch, step);
            if (!(rate >= 0) || double.IsInfinity(rate))
                throw new InvalidOperationException($"The learning-rate schedule gave {rate} at epoch {epoch}, step {step}; a rate is 0 or more.");
            context.LearningRate = rate * context.LearningRateScale;
        }
    }
}
