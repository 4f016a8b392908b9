# The PyTorch side of the inference benchmark: the model as `cnn export --pytorch` writes it, with the benchmark's
# weights (safetensors, read by the exported module's own reader), run under torch.no_grad with the given threads.
# Commands on stdin, one JSON answer per line on stdout:
#   output BATCH INPUT.bin OUTPUT.bin   write the model's outputs for the input file (float32, batch first)
#   measure BATCH INPUT.bin SECONDS     images per second and milliseconds per call (median) over SECONDS
import importlib.util, json, os, statistics, sys, time
import numpy as np
import torch

folder, module_name, class_name, weights, threads = sys.argv[1:6]
torch.set_num_threads(int(threads))
torch.set_num_interop_threads(1)
spec = importlib.util.spec_from_file_location(module_name, f"{folder}/{module_name}.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = getattr(module, class_name)()
module.load_safetensors(weights, model)
model.eval()
shape = [int(s) for s in sys.argv[6].split("x")]

def read(batch, path):
    return torch.from_numpy(np.fromfile(path, dtype=np.float32).reshape([batch] + shape))

# Debian's PyTorch is built against the generic BLAS interface; the system's alternative decides which library runs.
blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas, "mkldnn": torch.backends.mkldnn.is_available()}), flush=True)
for line in sys.stdin:
    command, *arguments = line.split()
    batch = int(arguments[0])
    x = read(batch, arguments[1])
    with torch.no_grad():
        if command == "output":
            model(x).numpy().astype(np.float32).tofile(arguments[2])
            print(json.dumps({"written": arguments[2]}), flush=True)
        elif command == "measure":
            seconds = float(arguments[2])
            model(x)
            calls = []
            started = time.perf_counter()
            while time.perf_counter() - started < seconds or len(calls) < 3:
                t = time.perf_counter()
                model(x)
                calls.append(time.perf_counter() - t)
            elapsed = time.perf_counter() - started
            print(json.dumps({"rate": len(calls) * batch / elapsed, "milliseconds": 1000 * statistics.median(calls)}), flush=True)
