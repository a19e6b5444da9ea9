"""Fine-tuning the VLM on reviewer-corrected extractions: data format and LoRA training."""
