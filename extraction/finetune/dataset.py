"""The fine-tuning data format: chat-messages JSONL, one reviewer-corrected document a line.

Each line is::

    {"messages": [
        {"role": "user", "content": [
            {"type": "image", "image": "images/0001.jpg"},
            {"type": "text", "text": "<the prompt>"}]},
        {"role": "assistant", "content": [
            {"type": "text", "text": "<the corrected answer JSON>"}]}],
     "prompt_version": "invoice.fields.v1",
     "id": "<optional: where the example came from>"}

The image path is relative to the JSONL file's folder (the export writes the *masked*
image next to it: training data must not carry unmasked personal data). The answer is
``render_answer`` of the corrected fields: exactly the format the prompt asks for and
the parser reads, so training teaches what inference expects. This is the same shape
transformers' chat templates and most VLM fine-tuning tools read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from extraction.parsing.model_answer import render_answer
from extraction.prompts import FewShotExample, get_prompt
from extraction.schema import DocumentType, InvoiceFields


class DatasetError(ValueError):
    """A JSONL line that is not a valid training example."""


@dataclass(frozen=True)
class TrainingExample:
    image: str  # relative POSIX path from the JSONL file's folder
    prompt: str
    answer: str
    prompt_version: str
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "image", "image": self.image},
                        {"type": "text", "text": self.prompt},
                    ],
                },
                {"role": "assistant", "content": [{"type": "text", "text": self.answer}]},
            ],
            "prompt_version": self.prompt_version,
        }
        if self.id is not None:
            line["id"] = self.id
        return line

    @classmethod
    def from_json(cls, data: Any) -> TrainingExample:
        try:
            user, assistant = data["messages"]
            if user["role"] != "user" or assistant["role"] != "assistant":
                raise DatasetError("messages must be one user turn, then one assistant turn")
            images = [part["image"] for part in user["content"] if part.get("type") == "image"]
            prompts = [part["text"] for part in user["content"] if part.get("type") == "text"]
            answers = [part["text"] for part in assistant["content"] if part.get("type") == "text"]
            version = data["prompt_version"]
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, DatasetError):
                raise
            raise DatasetError(f"not a chat-messages training example: {exc!r}") from exc
        if len(images) != 1 or len(prompts) != 1 or len(answers) != 1:
            raise DatasetError("need exactly one image, one prompt text and one answer text")
        image = _relative_image(images[0])
        return cls(
            image=image,
            prompt=str(prompts[0]),
            answer=str(answers[0]),
            prompt_version=str(version),
            id=None if data.get("id") is None else str(data["id"]),
        )


def example_for(
    image: str,
    fields: InvoiceFields,
    document_type: DocumentType,
    *,
    few_shot: Sequence[FewShotExample] = (),
    example_id: str | None = None,
) -> TrainingExample:
    """The training example for corrected ``fields``, with the prompt inference would use."""
    prompt = get_prompt(document_type, "fields", few_shot=few_shot)
    return TrainingExample(
        image=_relative_image(image),
        prompt=prompt.text,
        answer=render_answer(fields, document_type, prompt.keys),
        prompt_version=prompt.version,
        id=example_id,
    )


def write_jsonl(examples: Iterable[TrainingExample], path: Path) -> int:
    """Write examples (UTF-8, one JSON object a line); returns how many were written."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(example.to_json(), ensure_ascii=False) + "\n")
            count += 1
    return count


def read_jsonl(path: Path) -> list[TrainingExample]:
    """All examples of a JSONL file; a bad line fails with its line number."""
    examples: list[TrainingExample] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                examples.append(TrainingExample.from_json(json.loads(line)))
            except (json.JSONDecodeError, DatasetError) as exc:
                raise DatasetError(f"{path}:{number}: {exc}") from exc
    return examples


def image_path(data_file: Path, example: TrainingExample) -> Path:
    return data_file.parent / example.image


def _relative_image(image: str) -> str:
    # Relative and inside the data folder: a dataset must not point at arbitrary files.
    path = PurePosixPath(str(image).replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise DatasetError(f"image path {image!r} must be relative to the data folder")
    return str(path)
