"""Goldens for torch-vision io, utils and ops (vision/tests/{io,utils,ops}.rs).

Run from the repository root with the venv's python:
    /work/main/.venv/bin/python scripts/golden/vision_io_ops.py
Writes small files into vision/tests/golden/: decoded-image checksums and crops (not whole
images), tiny generated PNGs with torchvision's decodings, and op inputs/outputs.
"""
import io as pyio
import json
import os

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file
from torchvision import ops, utils
from torchvision.io import ImageReadMode as M, decode_jpeg, encode_jpeg, read_image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "vision", "tests", "golden")
IMAGES = os.path.join(ROOT, "..", "shared", "data", "vision", "images")
os.makedirs(OUT, exist_ok=True)
MODES = {"UNCHANGED": M.UNCHANGED, "GRAY": M.GRAY, "GRAY_ALPHA": M.GRAY_ALPHA, "RGB": M.RGB, "RGB_ALPHA": M.RGB_ALPHA}


def checksums(x):
    """Per-channel sum and position-weighted sum (catches permuted pixels), as f64."""
    c = x.shape[0]
    flat = x.reshape(c, -1).to(torch.float64)
    w = (torch.arange(flat.shape[1], dtype=torch.float64) * 31 + 7) % 251
    return torch.stack([flat.sum(1), (flat * w).sum(1)])  # (2, C)


def crops(x):
    """Three 32x32 crops: top-left, centre, bottom-right."""
    _, h, w = x.shape
    pts = [(0, 0), (h // 2 - 16, w // 2 - 16), (h - 32, w - 32)]
    return torch.stack([x[:, y:y + 32, z:z + 32] for y, z in pts])


def io_goldens():
    g = {}
    for f in sorted(os.listdir(IMAGES)):
        jpeg = f.endswith(".jpg")
        for name, m in MODES.items():
            if jpeg and name in ("GRAY_ALPHA", "RGB_ALPHA"):
                continue
            x = read_image(os.path.join(IMAGES, f), m)
            key = f"{f}.{name}"
            g[key + ".shape"] = torch.tensor(list(x.shape), dtype=torch.int64)
            g[key + ".sums"] = checksums(x)
            g[key + ".crops"] = crops(x).contiguous()
    # torchvision's own JPEG round trip at the default quality, for the error our encoder
    # should be comparable to.
    ast = read_image(os.path.join(IMAGES, "astronaut.png"))[:, 100:228, 150:278].contiguous()
    rt = decode_jpeg(encode_jpeg(ast))
    g["jpeg_q75_roundtrip_mae"] = (rt.double() - ast.double()).abs().mean().reshape(1)
    save_file(g, os.path.join(OUT, "vision_io.safetensors"))

    # Small generated PNGs in the layouts real files use, with torchvision's decodings.
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (9, 11, 3), dtype=np.uint8)
    pngs = {
        "rgb": Image.fromarray(rgb),
        "rgba": Image.fromarray(rng.integers(0, 256, (9, 11, 4), dtype=np.uint8)),
        "gray": Image.fromarray(rgb[..., 0]),
        "gray_alpha": Image.fromarray(rng.integers(0, 256, (9, 11, 2), dtype=np.uint8), "LA"),
        "gray1": Image.fromarray(rgb[..., 0] > 127),
        "palette256": Image.fromarray(rgb).quantize(200),
    }
    small = {}
    for name, im in pngs.items():
        buf = pyio.BytesIO()
        im.save(buf, format="PNG")
        path = os.path.join(OUT, f"small_{name}.png")
        with open(path, "wb") as fh:
            fh.write(buf.getvalue())
        for mname, m in MODES.items():
            small[f"{name}.{mname}"] = read_image(path, m).contiguous()
    # torchvision's palette handling is broken for RGB_ALPHA and GRAY_ALPHA without tRNS
    # (libpng adds no alpha, torchvision reads the rows as if it had): not goldens.
    del small["palette256.RGB_ALPHA"]
    del small["palette256.GRAY_ALPHA"]
    save_file(small, os.path.join(OUT, "vision_io_small.safetensors"))


def utils_goldens():
    torch.manual_seed(0)
    g = {}
    x = torch.rand(5, 3, 6, 7) * 2 - 0.5
    g["grid.in"] = x
    g["grid.default"] = utils.make_grid(x)
    g["grid.nrow3_pad1_val"] = utils.make_grid(x, nrow=3, padding=1, pad_value=0.5)
    g["grid.normalize"] = utils.make_grid(x, normalize=True)
    g["grid.normalize_range"] = utils.make_grid(x, normalize=True, value_range=(-1, 1))
    g["grid.scale_each"] = utils.make_grid(x, normalize=True, scale_each=True)
    g1 = torch.rand(4, 1, 5, 5)
    g["grid1.in"] = g1
    g["grid1.default"] = utils.make_grid(g1, nrow=2)
    g["grid3d.out"] = utils.make_grid(g1[0])
    # save_image writes what make_grid gives, scaled to uint8 as below.
    grid = utils.make_grid(x, nrow=2)
    g["save.expected"] = grid.mul(255).add_(0.5).clamp_(0, 255).to(torch.uint8).contiguous()

    img = read_image(os.path.join(IMAGES, "astronaut.png"))[:, 200:260, 180:260].contiguous()
    g["boxes.image"] = img
    # Boxes at least 2 * width - 1 pixels wide and high: PIL draws smaller ones with other
    # rules, which torch-vision does not reproduce (only width 1 is checked for those).
    boxes = torch.tensor([[5, 4, 40, 30], [20.7, 10.2, 70.9, 55.5], [-3, 50, 90, 70], [30, 30, 36, 37]])
    g["boxes.boxes"] = boxes
    colors = ["red", (0, 255, 0), "#FF00FF", "yellow"]
    g["boxes.plain"] = utils.draw_bounding_boxes(img, boxes, colors=colors)
    g["boxes.fill_w3"] = utils.draw_bounding_boxes(img, boxes, colors=colors, fill=True, width=3)
    g["boxes.default_colors"] = utils.draw_bounding_boxes(img, boxes, width=2)
    tiny = torch.tensor([[30, 30, 30, 30], [10, 10, 10, 20], [50, 5, 60, 5]])
    g["boxes.tiny"] = tiny
    g["boxes.tiny_out"] = utils.draw_bounding_boxes(img, tiny, colors="red")
    gray = img[:1].contiguous()
    g["boxes.gray"] = utils.draw_bounding_boxes(gray, boxes, colors="blue")
    fimg = img.float() / 255
    g["boxes.float"] = utils.draw_bounding_boxes(fimg, boxes, colors=colors, fill=True)
    masks = torch.zeros(3, 60, 80, dtype=torch.bool)
    masks[0, 5:30, 10:50] = True
    masks[1, 20:50, 40:70] = True
    masks[2, 40:60, 0:20] = True
    g["masks.masks"] = masks
    g["masks.out"] = utils.draw_segmentation_masks(img, masks, alpha=0.8, colors=["red", (0, 0, 255), "green"])
    g["masks.default"] = utils.draw_segmentation_masks(img, masks, alpha=0.3)
    g["masks.float"] = utils.draw_segmentation_masks(fimg, masks, alpha=0.5, colors="#10A0F0")
    save_file({k: v.contiguous() for k, v in g.items()}, os.path.join(OUT, "vision_utils.safetensors"))


def rand_boxes(n, size=50.0, gen=None):
    xy = torch.rand(n, 2, generator=gen) * size
    wh = torch.rand(n, 2, generator=gen) * size / 2 + 1
    return torch.cat([xy, xy + wh], 1)


def ops_goldens():
    gen = torch.Generator().manual_seed(0)
    g = {}
    a = rand_boxes(7, gen=gen)
    b = rand_boxes(5, gen=gen)
    g["a"], g["b"] = a, b
    g["box_area"] = ops.box_area(a)
    g["box_iou"] = ops.box_iou(a, b)
    g["a64"] = a.double()
    g["box_iou64"] = ops.box_iou(a.double(), b.double())
    for fin in ("xyxy", "xywh", "cxcywh"):
        for fout in ("xyxy", "xywh", "cxcywh"):
            g[f"convert.{fin}.{fout}"] = ops.box_convert(a, fin, fout)
    # nms: many overlapping boxes and tied scores.
    nb = rand_boxes(60, size=40.0, gen=gen)
    scores = (torch.rand(60, generator=gen) * 10).round() / 10
    g["nms.boxes"], g["nms.scores"] = nb, scores
    for t in (0.3, 0.5, 0.7):
        g[f"nms.keep.{t}"] = ops.nms(nb, scores, t)
    idxs = torch.randint(0, 4, (60,), generator=gen)
    g["nms.idxs"] = idxs
    g["batched_nms.keep"] = ops.batched_nms(nb, scores, idxs, 0.5)
    # roi_align / roi_pool: two images, rois given as (K, 5).
    x = torch.randn(2, 3, 11, 13, generator=gen, dtype=torch.float64)
    rois = torch.tensor([
        [0, 1.2, 0.7, 9.8, 8.3],
        [1, -2.0, -1.0, 5.0, 4.0],
        [0, 3.3, 2.1, 3.9, 2.5],
        [1, 10.0, 6.0, 30.0, 25.0],
        [0, 0.0, 0.0, 12.9, 10.9],
    ], dtype=torch.float64)
    g["roi.x"], g["roi.rois"] = x, rois
    gout = torch.randn(5, 3, 3, 4, generator=gen, dtype=torch.float64)
    g["roi.gout"] = gout
    cfgs = {
        "default": dict(output_size=(3, 4)),
        "scale_aligned": dict(output_size=(3, 4), spatial_scale=0.5, aligned=True),
        "sr2": dict(output_size=(3, 4), sampling_ratio=2),
        "scale2_sr3_aligned": dict(output_size=(3, 4), spatial_scale=2.0, sampling_ratio=3, aligned=True),
    }
    for name, kw in cfgs.items():
        xx = x.clone().requires_grad_(True)
        out = ops.roi_align(xx, rois, **kw)
        out.backward(gout)
        g[f"roi_align.{name}"] = out.detach()
        g[f"roi_align.{name}.grad"] = xx.grad
        x32 = x.float()
        g[f"roi_align32.{name}"] = ops.roi_align(x32, rois.float(), **kw)
    for name, kw in {"default": dict(output_size=(3, 4)), "scale": dict(output_size=(3, 4), spatial_scale=0.5)}.items():
        xx = x.clone().requires_grad_(True)
        out = ops.roi_pool(xx, rois, **kw)
        out.backward(gout)
        g[f"roi_pool.{name}"] = out.detach()
        g[f"roi_pool.{name}.grad"] = xx.grad
    save_file({k: v.contiguous() for k, v in g.items()}, os.path.join(OUT, "vision_ops.safetensors"))


if __name__ == "__main__":
    io_goldens()
    utils_goldens()
    ops_goldens()
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))
