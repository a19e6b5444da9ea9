"""Turn engine output (OCR layout, model answers, PDF text) into ``InvoiceFields``."""
