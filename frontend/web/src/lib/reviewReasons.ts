// Why a document waits for a person: the server's review reasons as sentences.
import { fieldLabel, t } from "./i18n";
import type { Extraction } from "./types";

// "duplicate", "warning:<code>", "missing:<field>", "unverified:<field>" (extraction.review).
export function reviewReasonTexts(extraction: Extraction | null | undefined): string[] {
  const reasons = extraction?.review_reasons;
  if (!Array.isArray(reasons)) return [];
  const out: string[] = [];
  for (const reason of reasons) {
    if (typeof reason !== "string") continue;
    const [kind, detail = ""] = reason.split(/:(.*)/s);
    if (kind === "duplicate") out.push(t("review.reason.duplicate"));
    else if (kind === "missing") out.push(t("review.reason.missing", { field: fieldLabel(detail) }));
    else if (kind === "unverified" || kind === "unsure")
      out.push(t("review.reason.unverified", { field: fieldLabel(detail) }));
    else if (kind === "warning") {
      const warning = extraction?.warnings.find((w) => w.code === detail);
      const where = warning?.field ? fieldLabel(warning.field) : "";
      out.push(
        where
          ? t("review.reason.warningOn", { field: where, message: warning?.message ?? detail })
          : t("review.reason.warning", { message: warning?.message ?? detail }),
      );
    } else out.push(reason);
  }
  return out;
}
