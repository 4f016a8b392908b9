# torchvision's ImageFolder + DataLoader over the same folder and transforms as CnnDsl's loader: one epoch, timed.
import json, sys, time
import torch
from torch.utils.data import DataLoader
from torchvision import transforms as T
from torchvision.datasets import ImageFolder

root, workers, batch, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.manual_seed(0)
transform = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor(),
                       T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
data = ImageFolder(root, transform)
if limit > 0:
    data = torch.utils.data.Subset(data, range(min(limit, len(data))))
loader = DataLoader(data, batch_size=batch, shuffle=True, num_workers=workers)
start = time.perf_counter()
images = 0
for x, y in loader:
    images += x.shape[0]
seconds = time.perf_counter() - start
print(json.dumps({"images": images, "seconds": seconds, "torch": torch.__version__}))
