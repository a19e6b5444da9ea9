"""A tiny random GLM-4V model directory, built offline in a few seconds.

Same architecture class (``Glm4vForConditionalGeneration``, model_type ``glm4v``), same
processor class (``Glm46VProcessor``) and the same special tokens and prompt shape as
GLM-4.6V-Flash, only with hidden size 64 and two layers, and a byte-level BPE tokenizer
trained here on a few lines of invoice-like text. Saved to a directory and loaded back
by the code under test through the Auto classes, exactly as a real model would be.
"""

from __future__ import annotations

from pathlib import Path

# The tokens GLM-4.6V's template and processor rely on, in GLM's own order.
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

# GLM-4.6V's prompt shape (FACTS.md): [gMASK]<sop><|user|>\n<image>text<|assistant|>\n,
# with "<think></think>\n" pre-filled when thinking is disabled.
CHAT_TEMPLATE = (
    "[gMASK]<sop>"
    "{% for message in messages %}"
    "<|{{ message['role'] }}|>\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|begin_of_image|><|image|><|end_of_image|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n"
    "{% if enable_thinking is defined and not enable_thinking %}<think></think>\n{% endif %}"
    "{% endif %}"
)

_CORPUS = [
    '{"document_type": "vat_special", "invoice_code": "1100153130", "invoice_number": '
    '"01234567", "issue_date": "2024-01-02", "total_amount": "1130.00", "currency": "CNY"}',
    "增值税专用发票 销售方名称 购买方名称 价税合计 壹仟壹佰叁拾元整 金额 税额 校验码",
    "receipt total tax date seller invoice number null line_items name amount 0123456789",
    "You are reading an image of a Chinese VAT invoice. Answer with ONE JSON object.",
]


def build_tiny_glm(directory: Path, *, seed: int = 0) -> Path:
    """Write a tiny random GLM-4V model + processor to ``directory`` and return it."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        GenerationConfig,
        Glm4vConfig,
        Glm4vForConditionalGeneration,
        Glm46VImageProcessor,
        Glm46VProcessor,
        Glm46VVideoProcessor,
        PreTrainedTokenizerFast,
    )

    directory.mkdir(parents=True, exist_ok=True)
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(_CORPUS * 4, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
        padding_side="left",
        extra_special_tokens={},
    )
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in SPECIAL_TOKENS}

    image_processor = Glm46VImageProcessor(
        size={"shortest_edge": 28 * 28, "longest_edge": 2 * 112 * 112}
    )
    processor = Glm46VProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=Glm46VVideoProcessor(),
        chat_template=CHAT_TEMPLATE,
    )

    config = Glm4vConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "max_position_embeddings": 4096,
            "rope_parameters": {
                "rope_type": "default",
                "rope_theta": 10000.0,
                "partial_rotary_factor": 0.5,
                "mrope_section": [2, 1, 1],
            },
            "pad_token_id": ids["<|endoftext|>"],
        },
        vision_config={
            "depth": 2,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "out_hidden_size": 64,
            "image_size": 28,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
        },
        image_token_id=ids["<|image|>"],
        video_token_id=ids["<|video|>"],
        image_start_token_id=ids["<|begin_of_image|>"],
        image_end_token_id=ids["<|end_of_image|>"],
        video_start_token_id=ids["<|begin_of_video|>"],
        video_end_token_id=ids["<|end_of_video|>"],
    )
    torch.manual_seed(seed)
    model = Glm4vForConditionalGeneration(config)
    # Random init gives near-uniform logits. Sharper ones make greedy decoding decisive
    # (no near-ties for float rounding to flip between batched and single runs) and let
    # a few LoRA steps on CPU visibly change the answer.
    with torch.no_grad():
        model.lm_head.weight.mul_(40.0)
    model.generation_config = GenerationConfig(
        eos_token_id=[ids["<|endoftext|>"], ids["<|user|>"], ids["<|observation|>"]],
        pad_token_id=ids["<|endoftext|>"],
        do_sample=False,
    )
    model.save_pretrained(directory)
    processor.save_pretrained(directory)
    return directory
