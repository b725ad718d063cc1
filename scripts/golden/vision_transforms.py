"""Goldens for torch_vision::transforms: torchvision.transforms.v2.functional on crops of
the real photos in shared/data/vision/images (uint8 CHW as torchvision.io.read_image gives
them), and the v2 random transforms' deterministic part given fixed sampled parameters.

Writes vision/tests/golden/vision_transforms_{geometry,color,float,random}.safetensors.
Run: /work/main/.venv/bin/python scripts/golden/vision_transforms.py
"""
import os
import torch
from safetensors.torch import save_file
from torchvision.io import read_image
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F
from torchvision.transforms.v2.functional import InterpolationMode as IM

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
IMG = os.path.join(ROOT, "..", "shared", "data", "vision", "images")
OUT = os.path.join(ROOT, "vision", "tests", "golden")

cat = read_image(os.path.join(IMG, "chelsea.png"))  # 3x300x451
rocket = read_image(os.path.join(IMG, "rocket.jpg"))  # 3x427x640
camera = read_image(os.path.join(IMG, "camera.png"))  # 1x512x512

u8 = cat[:, 80:152, 180:276].contiguous()  # 3x72x96
sq = rocket[:, 200:264, 300:364].contiguous()  # 3x64x64 (square: rotate fast paths)
gray = camera[:, 100:150, 200:270].contiguous()  # 1x50x70
small = rocket[:, 150:198, 280:344].contiguous()  # 3x48x64
f = F.to_dtype(small, torch.float32, scale=True)

g = {"u8": u8, "sq": sq, "gray": gray, "small": small}


def rs(x, size, mode=IM.BILINEAR, aa=True, max_size=None):
    return F.resize(x, size, interpolation=mode, antialias=aa, max_size=max_size)


# uint8 ops
g["resize_bilinear_aa_down"] = rs(u8, [33, 43])
g["resize_bilinear_aa_up"] = rs(small, [71, 90])
g["resize_bilinear_aa_mixed"] = rs(u8, [90, 61])
g["resize_bicubic_aa_down"] = rs(u8, [41, 55], IM.BICUBIC)
g["resize_bilinear_noaa_down"] = rs(u8, [33, 43], aa=False)
g["resize_nearest_down"] = rs(u8, [33, 43], IM.NEAREST)
g["resize_nearest_up"] = rs(u8, [101, 119], IM.NEAREST)
g["resize_nearest_exact"] = rs(u8, [47, 61], IM.NEAREST_EXACT)
g["resize_short_64"] = rs(u8, [64])
g["resize_short_64_max_80"] = rs(u8, [64], max_size=75)
g["resize_gray"] = rs(gray, [31, 45])
g["center_crop_100_90"] = F.center_crop(u8, [60, 70])
g["center_crop_pad"] = F.center_crop(u8, [81, 103])
g["center_crop_odd"] = F.center_crop(u8, [47, 61])
g["crop_out_of_range"] = F.crop(u8, -5, 7, 50, 96)
g["crop_inside"] = F.crop(u8, 11, 23, 40, 50)
g["pad_constant"] = F.pad(u8, [3, 5, 7, 2], fill=[10, 20, 30])
g["pad_edge"] = F.pad(u8, [4], padding_mode="edge")
g["pad_reflect"] = F.pad(u8, [5, 3], padding_mode="reflect")
g["pad_symmetric"] = F.pad(u8, [2, 4, 6, 8], padding_mode="symmetric")
g["hflip"] = F.horizontal_flip(u8)
g["vflip"] = F.vertical_flip(u8)
g["rotate_33_nearest"] = F.rotate(u8, 33.0)
g["rotate_33_bilinear_fill"] = F.rotate(u8, 33.0, interpolation=IM.BILINEAR, fill=[255, 0, 128])
g["rotate_90_nonsquare"] = F.rotate(u8, 90.0)
g["rotate_90_square"] = F.rotate(sq, 90.0)
g["rotate_270_expand"] = F.rotate(u8, -90.0, expand=True)
g["rotate_180"] = F.rotate(u8, 180.0)
g["rotate_45_expand_bilinear"] = F.rotate(u8, 45.0, interpolation=IM.BILINEAR, expand=True)
g["rotate_20_center"] = F.rotate(u8, 20.0, center=[30.0, 40.0], fill=7)
g["affine_nearest"] = F.affine(u8, angle=-20.0, translate=[5, -7], scale=1.2, shear=[10.0, -5.0])
g["affine_bilinear_fill"] = F.affine(
    u8, angle=15.0, translate=[-3, 4], scale=0.8, shear=[0.0, 12.0],
    interpolation=IM.BILINEAR, fill=[0, 255, 50],
)
g["affine_center"] = F.affine(u8, angle=30.0, translate=[0, 0], scale=1.0, shear=[5.0, 0.0], center=[20.0, 100.0])
g["brightness_1_3"] = F.adjust_brightness(u8, 1.3)
g["contrast_0_6"] = F.adjust_contrast(u8, 0.6)
g["contrast_gray_1_4"] = F.adjust_contrast(gray, 1.4)
g["saturation_1_7"] = F.adjust_saturation(u8, 1.7)
g["hue_0_2"] = F.adjust_hue(u8, 0.2)
g["hue_m0_35"] = F.adjust_hue(u8, -0.35)
g["grayscale_1"] = F.rgb_to_grayscale(u8, 1)
g["grayscale_3"] = F.rgb_to_grayscale(u8, 3)
g["blur_5_9"] = F.gaussian_blur(u8, [5, 9], [1.5, 2.2])
g["blur_3_default_sigma"] = F.gaussian_blur(u8, [3, 3])
g["erase"] = F.erase(u8, 10, 20, 30, 40, torch.tensor([1, 2, 3], dtype=torch.uint8)[:, None, None])
g["resized_crop"] = F.resized_crop(u8, 10, 20, 50, 70, [40, 40])
g["to_float"] = F.to_dtype(small, torch.float32, scale=True)
COLOR = ["brightness", "contrast", "saturation", "hue", "grayscale", "blur", "erase"]
geo = {k: v for k, v in g.items() if not any(k.startswith(c) for c in COLOR)}
col = {k: v for k, v in g.items() if k in ("u8", "gray") or any(k.startswith(c) for c in COLOR)}
save_file({k: v.contiguous() for k, v in geo.items()}, os.path.join(OUT, "vision_transforms_geometry.safetensors"))
save_file({k: v.contiguous() for k, v in col.items()}, os.path.join(OUT, "vision_transforms_color.safetensors"))

# float32 ops on the small crop in [0, 1]
h = {"f": f}
h["resize_bilinear_aa_down"] = rs(f, [37, 50])
h["resize_bicubic_aa_down"] = rs(f, [29, 41], IM.BICUBIC)
h["resize_bilinear_noaa_down"] = rs(f, [30, 45], aa=False)
h["resize_bicubic_noaa_up"] = rs(f, [61, 83], IM.BICUBIC, aa=False)
h["resize_bilinear_aa_up"] = rs(f, [61, 83])
h["rotate_33_bilinear"] = F.rotate(f, 33.0, interpolation=IM.BILINEAR)
h["affine_bilinear_fill"] = F.affine(
    f, angle=15.0, translate=[-3, 4], scale=0.8, shear=[7.0, 12.0], interpolation=IM.BILINEAR, fill=[0.5, 1.0, 0.25]
)
h["brightness_0_7"] = F.adjust_brightness(f, 0.7)
h["contrast_1_5"] = F.adjust_contrast(f, 1.5)
h["saturation_0_3"] = F.adjust_saturation(f, 0.3)
h["hue_0_45"] = F.adjust_hue(f, 0.45)
h["grayscale_1"] = F.rgb_to_grayscale(f)
h["blur_7_5"] = F.gaussian_blur(f, [7, 5], [2.0, 0.8])
h["normalize"] = F.normalize(f, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
h["to_u8"] = F.to_dtype(f, torch.uint8, scale=True)
h["pad_reflect_float"] = F.pad(f, [3, 1, 2, 4], padding_mode="reflect")
save_file({k: v.contiguous() for k, v in h.items()}, os.path.join(OUT, "vision_transforms_float.safetensors"))

# random transforms: torchvision's sampled parameters and the output given them
r = {}
torch.manual_seed(0)
t = v2.RandomCrop([60, 90], padding=[4, 6], pad_if_needed=True, fill=9, padding_mode="constant")
p = t.make_params([u8])
r["random_crop_params"] = torch.tensor([*p["padding"], p["top"], p["left"], p["height"], p["width"]], dtype=torch.int64)
r["random_crop"] = t.transform(u8, p)
t = v2.RandomCrop([80, 100], pad_if_needed=True, padding_mode="reflect")
p = t.make_params([u8])
r["random_crop_reflect_params"] = torch.tensor([*p["padding"], p["top"], p["left"], p["height"], p["width"]], dtype=torch.int64)
r["random_crop_reflect"] = t.transform(u8, p)
t = v2.RandomResizedCrop([48, 40])
p = t.make_params([u8])
r["rrc_params"] = torch.tensor([p["top"], p["left"], p["height"], p["width"]], dtype=torch.int64)
r["rrc"] = t.transform(u8, p)
# scale > 1 makes all 10 tries fail: the deterministic centre fallback, ratio-clamped
for name, ratio in [("rrc_fallback_wide", (0.5, 0.9)), ("rrc_fallback_tall", (1.6, 2.0)), ("rrc_fallback_fit", (1.0, 1.5))]:
    t = v2.RandomResizedCrop([32, 32], scale=(2.0, 3.0), ratio=ratio)
    p = t.make_params([u8])
    r[name + "_params"] = torch.tensor([p["top"], p["left"], p["height"], p["width"]], dtype=torch.int64)
t = v2.RandomRotation(40, interpolation=IM.BILINEAR, fill=[10, 20, 30])
p = t.make_params([u8])
r["rotation_angle"] = torch.tensor([p["angle"]], dtype=torch.float64)
r["rotation"] = t.transform(u8, p)
t = v2.RandomAffine(25, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=(-10, 10, -5, 5))
p = t.make_params([u8])
r["affine_params"] = torch.tensor([p["angle"], *p["translate"], p["scale"], *p["shear"]], dtype=torch.float64)
r["affine"] = t.transform(u8, p)
t = v2.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)
p = t.make_params([u8])
r["jitter_params"] = torch.tensor(
    [*p["fn_idx"].tolist(), p["brightness_factor"], p["contrast_factor"], p["saturation_factor"], p["hue_factor"]],
    dtype=torch.float64,
)
r["jitter"] = t.transform(u8, p)
t = v2.GaussianBlur(7, sigma=(0.5, 3.0))
p = t.make_params([u8])
r["blur_sigma"] = torch.tensor(p["sigma"], dtype=torch.float64)
r["blur"] = t.transform(u8, p)
t = v2.RandomErasing(p=1.0, value=[11, 22, 33])
p = t.make_params([u8])
r["erasing_params"] = torch.tensor([p["i"], p["j"], p["h"], p["w"]], dtype=torch.int64)
r["erasing"] = t.transform(u8, p)
save_file({k: v.contiguous() for k, v in r.items()}, os.path.join(OUT, "vision_transforms_random.safetensors"))

for n in ["geometry", "color", "float", "random"]:
    path = os.path.join(OUT, f"vision_transforms_{n}.safetensors")
    print(path, os.path.getsize(path))
