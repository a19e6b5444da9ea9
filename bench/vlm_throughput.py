"""VLM throughput on one GPU: GLM-4.6V-Flash's real dimensions, random bf16 weights.

    .venv/bin/python bench/vlm_throughput.py                  # on a CUDA machine (H100)
    .venv/bin/python bench/vlm_throughput.py --tiny           # CPU smoke run of the code path

Nothing is downloaded: the model is built from its configuration directly on the GPU
with random bf16 weights (throughput does not depend on the weights' values), and the
tokenizer is a byte-level BPE trained here with GLM's special tokens. Each document is a
synthetic 1024-px invoice rendered with PIL, sent through the production ``VlmEngine``
path (prompt, chat template, processor, left-padded batch, generate) with the output
length fixed: exactly ``--new-tokens`` tokens, EOS suppressed via min_new_tokens.

Reported per batch size: documents/s, batch latency, peak GPU memory, prefill time,
time per decode step, and the ratio of the memory-bandwidth bound (all weight bytes read
once per decode step at ``--hbm-bandwidth`` B/s) to the measured decode step.

Where the dimensions come from (GLM-4.6V-Flash has no public config in this sandbox):
* architecture ``Glm4vForConditionalGeneration`` / ``glm4v`` and ~10.3 B parameters,
  20.6 GB in bf16: FACTS.md (checked on the real checkpoint for this project);
* text 40 layers, hidden 4096, 32 heads, FFN 13696, vocab 151552, 2 KV heads; vision
  24 layers, hidden 1536, 12 heads, FFN 13696, patch 14, merge 2, out 4096: the defaults
  of transformers 5.24's ``Glm4vConfig`` (the GLM-4.1V-9B layout GLM-4.6V-Flash shares;
  public GGUF model cards of GLM-4.6V-Flash give the same 40 x 4096 / 32 heads / 24 x 1536
  ViT with 13696 FFN). With 2 KV heads the model has 10.29 B parameters = 20.6 GB bf16,
  matching FACTS.md; 8 KV heads (one model card's claim) would give 10.54 B / 21.1 GB;
* partial rotary factor 0.5 with mrope sections [8, 12, 12]: the transformers default
  for glm4v (``mrope_section``) and the 64 rotary dims it implies; 128K context:
  FACTS.md. RoPE base and context length do not change the cost of a step.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extraction.engines.base import EngineContext
from extraction.engines.vlm import LoadedModel, VlmEngine
from extraction.prompts import get_prompt
from extraction.schema import DocumentType

H100_HBM_BYTES_PER_S = 3.35e12  # H100 SXM5 HBM3, NVIDIA data sheet
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

GLM_46V_FLASH_TEXT = {
    "vocab_size": 151552,
    "hidden_size": 4096,
    "intermediate_size": 13696,
    "num_hidden_layers": 40,
    "num_attention_heads": 32,
    "num_key_value_heads": 2,
    "max_position_embeddings": 131072,
    "rms_norm_eps": 1e-5,
    "rope_parameters": {
        "rope_type": "default",
        "rope_theta": 10000.0,
        "partial_rotary_factor": 0.5,
        "mrope_section": [8, 12, 12],
    },
}
GLM_46V_FLASH_VISION = {
    "depth": 24,
    "hidden_size": 1536,
    "intermediate_size": 13696,
    "num_heads": 12,
    "out_hidden_size": 4096,
    "image_size": 336,
    "patch_size": 14,
    "spatial_merge_size": 2,
    "temporal_patch_size": 2,
}
TINY_TEXT = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 8192,
    "rope_parameters": {
        "rope_type": "default",
        "rope_theta": 10000.0,
        "partial_rotary_factor": 0.5,
        "mrope_section": [2, 1, 1],
    },
}
TINY_VISION = {
    "depth": 2,
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_heads": 2,
    "out_hidden_size": 64,
    "image_size": 28,
    "patch_size": 14,
    "spatial_merge_size": 2,
    "temporal_patch_size": 2,
}
SPECIAL_TOKENS = [
    "<|endoftext|>",
    "[MASK]",
    "[gMASK]",
    "[sMASK]",
    "<sop>",
    "<eop>",
    "<|system|>",
    "<|user|>",
    "<|assistant|>",
    "<|observation|>",
    "<|begin_of_image|>",
    "<|end_of_image|>",
    "<|begin_of_video|>",
    "<|end_of_video|>",
    "<|image|>",
    "<|video|>",
    "<think>",
    "</think>",
    "<|begin_of_box|>",
    "<|end_of_box|>",
]
# GLM-4.6V's prompt shape (FACTS.md), thinking disabled.
CHAT_TEMPLATE = (
    "[gMASK]<sop>{% for message in messages %}<|{{ message['role'] }}|>\n"
    "{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|begin_of_image|><|image|><|end_of_image|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n"
    "{% if enable_thinking is defined and not enable_thinking %}<think></think>\n{% endif %}"
    "{% endif %}"
)


@dataclass
class Row:
    batch: int
    docs_per_s: float
    latency_s: float
    latency_p_max_s: float
    prefill_s: float
    decode_step_ms: float
    bound_step_ms: float
    bandwidth_ratio: float
    peak_memory_gb: float
    prompt_tokens: int


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    import torch

    if not args.tiny and not torch.cuda.is_available():
        print(
            "vlm_throughput: no CUDA device is visible. This benchmark measures GLM-4.6V-"
            "Flash-sized inference on a GPU (targets are for one H100); run it on a GPU "
            "machine, or pass --tiny for a CPU smoke run of the code path.",
            file=sys.stderr,
        )
        return 2
    device = "cuda" if torch.cuda.is_available() and not args.cpu else "cpu"
    if args.tiny:
        torch.set_num_threads(max(1, args.threads))
    batch_sizes = [int(value) for value in args.batch_sizes.split(",")]
    new_tokens = args.new_tokens if args.new_tokens else (8 if args.tiny else 256)

    prompt = get_prompt(DocumentType.VAT_SPECIAL)
    started = time.perf_counter()
    loaded = build_model(tiny=args.tiny, device=device, prompt_text=prompt.text)
    weight_bytes = sum(p.numel() * p.element_size() for p in loaded.model.parameters())
    parameters = sum(p.numel() for p in loaded.model.parameters())
    print(
        f"model: {'tiny' if args.tiny else 'GLM-4.6V-Flash dims'}, {parameters / 1e6:,.1f} M "
        f"parameters, {weight_bytes / 1e9:.2f} GB weights, built on {device} in "
        f"{time.perf_counter() - started:.1f} s"
    )
    ctx = EngineContext(
        vlm_model_path=None,
        vlm_device=device,
        vlm_batch_size=max(batch_sizes),
        vlm_max_pixels=args.max_pixels,
        vlm_max_new_tokens=new_tokens,
        vlm_timeout_s=3600.0,
        reconcile_with_ocr=False,
    )
    engine = VlmEngine(
        ctx,
        loaded=loaded,
        # EOS is never sampled before min_new_tokens: every answer is exactly N tokens.
        generate_kwargs={"min_new_tokens": new_tokens},
        batch_cap=max(batch_sizes),
    )
    images = [render_invoice(seed, args.image_px) for seed in range(max(batch_sizes))]
    prompt_tokens = int(engine.prepare_inputs(images[:1], [prompt.text])["input_ids"].shape[1])
    print(
        f"input: {args.image_px}-px invoices, {prompt_tokens} prompt tokens per document "
        f"(image + text), {new_tokens} new tokens, max pixels {args.max_pixels}"
    )

    bound_step_s = weight_bytes / args.hbm_bandwidth
    rows: list[Row] = []
    print(_header())
    for batch in batch_sizes:
        row = measure(
            engine,
            images[:batch],
            prompt.text,
            new_tokens=new_tokens,
            repeats=args.repeats,
            device=device,
            bound_step_s=bound_step_s,
            prompt_tokens=prompt_tokens,
        )
        rows.append(row)
        print(_format(row), flush=True)
    _summary(rows)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "device": _device_name(device),
                    "tiny": args.tiny,
                    "parameters": parameters,
                    "weight_bytes": weight_bytes,
                    "hbm_bandwidth": args.hbm_bandwidth,
                    "new_tokens": new_tokens,
                    "rows": [asdict(row) for row in rows],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


def build_model(*, tiny: bool, device: str, prompt_text: str) -> LoadedModel:
    """Tokenizer, processor and a randomly initialised Glm4v model, all in memory."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        Glm4vConfig,
        Glm4vForConditionalGeneration,
        Glm46VImageProcessor,
        Glm46VProcessor,
        Glm46VVideoProcessor,
        PreTrainedTokenizerFast,
    )

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    # Trained on the prompt itself so that it costs about as many tokens as with GLM's
    # 151k vocabulary (a few hundred), not thousands of byte tokens.
    trainer = trainers.BpeTrainer(
        vocab_size=4000,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator([prompt_text] * 8, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        eos_token="<|endoftext|>",  # noqa: S106  (a token, not a password)
        pad_token="<|endoftext|>",  # noqa: S106
        padding_side="left",
    )
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in SPECIAL_TOKENS}
    processor = Glm46VProcessor(
        image_processor=Glm46VImageProcessor(),
        tokenizer=tokenizer,
        video_processor=Glm46VVideoProcessor(),
        chat_template=CHAT_TEMPLATE,
    )
    text = dict(TINY_TEXT if tiny else GLM_46V_FLASH_TEXT)
    if tiny:
        text["vocab_size"] = len(tokenizer)
    text["pad_token_id"] = ids["<|endoftext|>"]
    config = Glm4vConfig(
        text_config=text,
        vision_config=TINY_VISION if tiny else GLM_46V_FLASH_VISION,
        image_token_id=ids["<|image|>"],
        video_token_id=ids["<|video|>"],
        image_start_token_id=ids["<|begin_of_image|>"],
        image_end_token_id=ids["<|end_of_image|>"],
        video_start_token_id=ids["<|begin_of_video|>"],
        video_end_token_id=ids["<|end_of_video|>"],
    )
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    torch.manual_seed(0)
    with torch.device(device):
        model = Glm4vForConditionalGeneration._from_config(config, dtype=dtype)
    model.eval()
    eos = (ids["<|endoftext|>"], ids["<|user|>"], ids["<|observation|>"])
    model.generation_config.eos_token_id = list(eos)
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    version = "bench-tiny" if tiny else "bench-glm-4.6v-flash-dims"
    return LoadedModel(processor, model, device, version, eos)


def render_invoice(seed: int, size: int) -> Image.Image:
    """A synthetic VAT-invoice-like page, longest side ``size`` px, different per seed."""
    rng = random.Random(seed)
    width, height = size, int(size * 0.62)
    image = Image.new("RGB", (width, height), (252, 250, 244))
    draw = ImageDraw.Draw(image)
    font = _font(max(12, size // 45))
    small = _font(max(10, size // 60))
    red = (180, 40, 40)
    draw.text((width * 0.33, height * 0.04), "增值税专用发票", fill=red, font=font)
    draw.rectangle(
        (width * 0.03, height * 0.2, width * 0.97, height * 0.92), outline=(120, 60, 60), width=2
    )
    for fraction in (0.36, 0.7, 0.8):
        y = height * fraction
        draw.line((width * 0.03, y, width * 0.97, y), fill=(120, 60, 60), width=1)
    code = "".join(rng.choice("0123456789") for _ in range(10))
    number = "".join(rng.choice("0123456789") for _ in range(8))
    amount = rng.randint(100, 99999)
    black = (25, 25, 30)
    lines = [
        (
            0.05,
            0.1,
            f"发票代码 {code}    发票号码 {number}    "
            f"开票日期 2024年0{rng.randint(1, 9)}月1{rng.randint(0, 9)}日",
        ),
        (0.05, 0.23, "购买方 名称: 北京示例科技有限公司  纳税人识别号: 91110000600037341L"),
        (0.05, 0.4, f"*信息技术服务*软件开发   1   {amount}.00   13%   {amount * 13 // 100}.00"),
        (
            0.05,
            0.73,
            f"价税合计(大写) ⊗ 壹万贰仟元整      (小写) ¥{amount + amount * 13 // 100}.00",
        ),
        (0.05, 0.83, "销售方 名称: 深圳示例电子有限公司  纳税人识别号: 91440300MA5EJRPEXF"),
    ]
    for x, y, text in lines:
        draw.text((width * x, height * y), text, fill=black, font=small)
    return image


def measure(
    engine: VlmEngine,
    images: list[Image.Image],
    prompt: str,
    *,
    new_tokens: int,
    repeats: int,
    device: str,
    bound_step_s: float,
    prompt_tokens: int,
) -> Row:
    import torch

    prompts = [prompt] * len(images)
    # The engine splits a batch that runs out of memory: record what actually ran.
    ran: list[int] = []
    engine.before_generate = ran.append

    def timed(tokens: int) -> float:
        _sync(device)
        started = time.perf_counter()
        outputs = engine.generate_raw(images, prompts, max_new_tokens=tokens)
        _sync(device)
        assert len(outputs) == len(images)
        return time.perf_counter() - started

    # Warm-up: kernels, allocator pools, processor caches.
    engine.generate_kwargs = {"min_new_tokens": 1}
    timed(1)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    prefill = statistics.median(timed(1) for _ in range(repeats))
    engine.generate_kwargs = {"min_new_tokens": new_tokens}
    totals = [timed(new_tokens) for _ in range(repeats)]
    latency = statistics.median(totals)
    step = max(1e-9, (latency - prefill) / max(1, new_tokens - 1))
    if any(size < len(images) for size in ran):
        print(
            f"warning: batch {len(images)} ran out of GPU memory and was split into "
            f"{sorted(set(ran))}; its numbers are for the split batches",
            file=sys.stderr,
        )
    return Row(
        batch=len(images),
        docs_per_s=len(images) / latency,
        latency_s=latency,
        latency_p_max_s=max(totals),
        prefill_s=prefill,
        decode_step_ms=step * 1000,
        bound_step_ms=bound_step_s * 1000,
        bandwidth_ratio=bound_step_s / step,
        peak_memory_gb=_peak_memory_gb(device),
        prompt_tokens=prompt_tokens,
    )


def _summary(rows: list[Row]) -> None:
    by_batch = {row.batch: row for row in rows}
    if 1 in by_batch and 16 in by_batch:
        speedup = by_batch[16].docs_per_s / by_batch[1].docs_per_s
        print(
            f"batch 16 vs batch 1: {speedup:.1f}x throughput (target >= 6x), "
            f"{by_batch[16].docs_per_s:.2f} documents/s (target >= 4 on one H100)"
        )


def _header() -> str:
    return (
        f"{'batch':>5} {'docs/s':>8} {'latency s':>10} {'max s':>7} {'prefill s':>10} "
        f"{'step ms':>8} {'bound ms':>9} {'bw ratio':>9} {'peak GB':>8}"
    )


def _format(row: Row) -> str:
    return (
        f"{row.batch:>5} {row.docs_per_s:>8.2f} {row.latency_s:>10.2f} {row.latency_p_max_s:>7.2f} "
        f"{row.prefill_s:>10.3f} {row.decode_step_ms:>8.2f} {row.bound_step_ms:>9.2f} "
        f"{row.bandwidth_ratio:>9.2f} {row.peak_memory_gb:>8.2f}"
    )


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if FONT.exists():
        return ImageFont.truetype(str(FONT), size)
    return ImageFont.load_default()


def _sync(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def _peak_memory_gb(device: str) -> float:
    import torch

    if device == "cuda":
        return torch.cuda.max_memory_allocated() / 1e9
    # CPU smoke runs: the process's peak resident set (Linux reports KiB).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def _device_name(device: str) -> str:
    import torch

    return torch.cuda.get_device_name() if device == "cuda" else "cpu"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="tiny dimensions (CPU smoke run)")
    parser.add_argument("--cpu", action="store_true", help="stay on CPU even with a GPU")
    parser.add_argument("--batch-sizes", default="1,4,8,16,32")
    parser.add_argument("--new-tokens", type=int, default=0, help="default 256 (8 with --tiny)")
    parser.add_argument("--image-px", type=int, default=1024, help="longest side of the pages")
    parser.add_argument(
        "--max-pixels",
        type=int,
        default=1024 * 1024,
        help="processor pixel budget per image (EngineContext.vlm_max_pixels)",
    )
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per batch size")
    parser.add_argument(
        "--hbm-bandwidth",
        type=float,
        default=H100_HBM_BYTES_PER_S,
        help="GPU memory bandwidth in B/s (H100 SXM 3.35e12; H200 4.8e12)",
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (--tiny)")
    parser.add_argument("--json", help="also write the results to this JSON file")
    return parser


if __name__ == "__main__":
    sys.exit(main())
