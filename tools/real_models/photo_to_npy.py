#!/usr/bin/python3
"""Decodes a photo (JPEG/PNG) into a [1,H,W,3] .npy for tfjs_reference.js --input and for verify.

    /usr/bin/python3 tools/real_models/photo_to_npy.py PHOTO OUT.npy [--size WxH] [--dtype uint8|float32] [--scale X]

RGB, values 0..255 (times X with --scale, e.g. 1/255 = 0.00392156862745098 for [0, 1] models); --size
resizes with PIL's bilinear filter first. Used to record the detectors'
references on a real photo (the collage @vladmandic/human ships as assets/samples.jpg; fetch.js
extracts it to CACHE/human-handtrack/assets/sample.jpg). Needs Debian's python3-pil and numpy.
"""
import sys

import numpy as np
from PIL import Image


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        raise SystemExit(__doc__.strip().splitlines()[2])
    src, dst, size, dtype, scale = args[0], args[1], None, 'uint8', None
    for i, a in enumerate(args):
        if a == '--size':
            size = tuple(int(v) for v in args[i + 1].split('x'))
        elif a == '--dtype':
            dtype = args[i + 1]
        elif a == '--scale':
            scale = float(args[i + 1])
    img = Image.open(src).convert('RGB')
    if size:
        img = img.resize(size, Image.BILINEAR)
    arr = np.asarray(img, dtype=np.float32) * scale if scale is not None else np.asarray(img)
    np.save(dst, arr.astype(np.dtype(dtype))[None])


if __name__ == '__main__':
    main()
