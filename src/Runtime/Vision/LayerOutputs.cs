using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnDsl.Vision
{
    /// <summary>How class-activation maps weight a layer's feature maps by the class score's gradient.</summary>
    public enum CamMethod
    {
        /// <summary>Grad-CAM: each channel weighted by its mean gradient (exact for global-pooling heads).</summary>
        GradCam,
        /// <summary>HiResCAM: each position weighted by its own gradient (faithful for flatten + dense heads; equals Grad-CAM up to scale for global average pooling).</summary>
        HiResCam,
    }

    /// <summary>
    /// What happens inside a model: the outputs of named layers from one forward pass, and Grad-CAM heat maps. A layer's
    /// output is what its module returns; an activation the layer applies in the model's forward (e.g.
    /// <c>conv2d 32, activation=relu</c>) comes after it.
    /// </summary>
    public static class LayerOutputs
    {
        /// <summary>The outputs of the given layers for <paramref name="input"/>, from one forward pass in eval mode, on the CPU.</summary>
        public static Tensor[] Activations(this nn.Module<Tensor, Tensor> model, Tensor input, params LayerHandle[] layers)
        {
            var outputs = model.Activations(input, layers.Select(l => l.Name).ToArray());
            for (int i = 0; i < layers.Length; i++)
            {
                if (layers[i].Activation is string activation)
                {
                    var applied = Apply(activation, outputs[i]);
                    outputs[i].Dispose();
                    outputs[i] = applied;
                }
                var expected = layers[i].OutputShape;
                var actual = outputs[i].shape.Skip(1).ToArray();
                if (actual.Length != expected.Count || expected.Where((d, j) => d > 0 && d != actual[j]).Any())
                    throw new InvalidOperationException($"Layer {layers[i].Name} gave ({string.Join(", ", actual)}) per sample, but its handle says ({string.Join(", ", expected)}); "
                        + "the handle belongs to another model or the model was changed.");
            }
            return outputs;
        }

        /// <summary>The outputs of the named layers for <paramref name="input"/>, from one forward pass in eval mode, on the CPU.</summary>
        public static Tensor[] Activations(this nn.Module<Tensor, Tensor> model, Tensor input, params string[] layerNames)
        {
            var modules = Find(model, layerNames);
            var captured = new Tensor?[layerNames.Length];
            bool wasTraining = model.training;
            model.eval();
            var removers = new List<IDisposable>();
            try
            {
                for (int i = 0; i < modules.Length; i++)
                {
                    int index = i;
                    removers.Add(Hook(modules[i], layerNames[i], output => captured[index] = output.detach().cpu().clone().DetachFromDisposeScope()));
                }
                using (no_grad())
                using (var scope = NewDisposeScope())
                    model.call(input.to(Device(model)));
                return captured.Select((c, i) => c ?? throw new InvalidOperationException($"Layer {layerNames[i]} was not called by {model.GetName()}'s forward.")).ToArray();
            }
            finally
            {
                removers.ForEach(r => r.Dispose());
                model.train(wasTraining);
            }
        }

        /// <summary>Grad-CAM (Selvaraju et al.) for the layer by handle, with its activation applied to the feature maps; see the overload by name.</summary>
        public static Tensor GradCam(this nn.Module<Tensor, Tensor> model, Tensor input, LayerHandle layer, long[]? classes = null, CamMethod method = CamMethod.GradCam) =>
            GradCam(model, input, layer.Name, classes, layer.Activation, method);

        /// <summary>
        /// Grad-CAM heat maps, (N, H, W) in [0, 1] at the input's size, on the CPU: the layer's channels weighted by the
        /// mean gradient of the class score over each channel, summed, passed through ReLU, scaled to a maximum of 1 and
        /// resized bilinearly. The class is the predicted one unless <paramref name="classes"/> gives one per input.
        /// Use the last convolutional layer: it sees the most while keeping a spatial layout. Grad-CAM's per-channel
        /// weights suit models that pool globally before the classifier; for a flatten + dense head, where the weight of
        /// a position depends on where it is, use <see cref="CamMethod.HiResCam"/>.
        /// </summary>
        public static Tensor GradCam(this nn.Module<Tensor, Tensor> model, Tensor input, string layer, long[]? classes = null, CamMethod method = CamMethod.GradCam) =>
            GradCam(model, input, layer, classes, activationAfter: null, method);

        // The feature maps are the layer's outputs after its activation; the gradients are taken at the module's output
        // (for ReLU they agree wherever the feature map is non-zero, the only places it contributes).
        static Tensor GradCam(nn.Module<Tensor, Tensor> model, Tensor input, string layer, long[]? classes, string? activationAfter, CamMethod method)
        {
            var module = Find(model, new[] { layer })[0];
            bool wasTraining = model.training;
            model.eval();
            Tensor? activation = null;
            // The model's forward disposes its intermediate tensors; an alias outside its dispose scope keeps the
            // layer's output (the same autograd node) alive for the gradient.
            using var hook = Hook(module, layer, output => activation = output.alias().DetachFromDisposeScope());
            try
            {
                using var scope = NewDisposeScope();
                using var enabled = enable_grad();
                // Gradients flow even through a fully frozen model, because they are taken with respect to the input too.
                var x = input.to(Device(model)).detach().clone().requires_grad_(true);
                var output = model.call(x);
                if (activation is null)
                    throw new InvalidOperationException($"Layer {layer} was not called by {model.GetName()}'s forward.");
                if (activation.dim() != 4)
                    throw new ArgumentException($"Grad-CAM needs a layer with (N, C, H, W) outputs; {layer} gives ({string.Join(", ", activation.shape)}). Use a convolutional layer.", nameof(layer));
                if (classes != null && classes.Length != input.shape[0])
                    throw new ArgumentException($"Give one class per input ({input.shape[0]}), not {classes.Length}.", nameof(classes));
                var target = classes is null ? output.argmax(1) : tensor(classes, device: output.device);
                var score = output.gather(1, target.unsqueeze(1)).sum();
                var gradient = autograd.grad(new[] { score }, new[] { activation })[0];
                var weights = method == CamMethod.GradCam ? gradient.mean(new long[] { 2, 3 }, keepdim: true) : gradient;
                var maps = activationAfter is null ? activation : Apply(activationAfter, activation);
                var cam = F.relu((weights * maps).sum(1, keepdim: true));
                var peak = cam.amax(new long[] { 2, 3 }, keepdim: true).clamp_min(1e-12);
                cam = cam / peak;
                cam = F.interpolate(cam, new long[] { input.shape[2], input.shape[3] }, mode: InterpolationMode.Bilinear, align_corners: false);
                return cam.squeeze(1).detach().cpu().MoveToOuterDisposeScope();
            }
            finally
            {
                activation?.Dispose();
                model.train(wasTraining);
            }
        }

        /// <summary>Applies an activation by its name in the language (any of the catalogue's, or none), as <c>activation=</c> does.</summary>
        public static Tensor Apply(string activation, Tensor x) =>
            ActivationFunctions.Find(activation) is { } known ? ActivationFunctions.Apply(known, x) : x.alias();

        static Device Device(nn.Module model) => model.parameters().FirstOrDefault()?.device ?? CPU;

        static nn.Module<Tensor, Tensor>[] Find(nn.Module<Tensor, Tensor> model, string[] names)
        {
            var all = model.named_modules().Where(m => m.name.Length > 0).ToDictionary(m => m.name, m => m.module);
            return names.Select(name =>
            {
                if (!all.TryGetValue(name, out var module))
                    throw new ArgumentException($"{model.GetName()} has no layer '{name}'; its layers are {string.Join(", ", all.Keys.Take(20).Select(k => $"'{k}'"))}{(all.Count > 20 ? ", ..." : "")}.", nameof(names));
                return module as nn.Module<Tensor, Tensor>
                    ?? throw new ArgumentException($"Layer '{name}' is not a tensor-to-tensor module ({module.GetType().Name}).", nameof(names));
            }).ToArray();
        }

        static IDisposable Hook(nn.Module<Tensor, Tensor> module, string name, Action<Tensor> capture)
        {
            var remover = module.register_forward_hook((m, input, output) =>
            {
                capture(output);
                return output;
            });
            return new Removal(remover.remove);
        }

        sealed class Removal : IDisposable
        {
            readonly Action remove;
            public Removal(Action remove) => this.remove = remove;
            public void Dispose() => remove();
        }
    }
}
