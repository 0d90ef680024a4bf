// Images pasted or dropped into the composer: which are accepted, and their bytes as base64 (the server
// checks them again and sends them as litellm content parts to a profile that declares vision).
import * as l10n from "@vscode/l10n";
import { MAX_IMAGES } from "../shared/messages";

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export interface PendingImage {
  name: string;
  type: string;
  /** The bytes, base64. */
  data: string;
}

/** Why `file` cannot be attached next to `count` images already there, or undefined when it can. */
export function imageProblem(file: { name: string; type: string; size: number }, count: number): string | undefined {
  if (!IMAGE_TYPES.includes(file.type)) return l10n.t("{0} is not a PNG, JPEG, GIF or WebP image.", file.name || file.type);
  if (file.size > MAX_IMAGE_BYTES) return l10n.t("{0} is larger than {1} MB.", file.name, MAX_IMAGE_BYTES / 1024 / 1024);
  if (count >= MAX_IMAGES) return l10n.t("At most {0} images go with one message.", MAX_IMAGES);
  return undefined;
}

/** A name for a pasted image (the clipboard calls them all "image.png"), unique among `taken`. */
export function imageName(file: { name: string; type: string }, taken: readonly string[]): string {
  const extension = file.type.split("/")[1]?.replace("jpeg", "jpg") ?? "png";
  const base = file.name && file.name !== "image.png" ? file.name : `pasted-image.${extension}`;
  if (!taken.includes(base)) return base;
  const dot = base.lastIndexOf(".");
  const [stem, suffix] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ""];
  for (let n = 2; ; n += 1) if (!taken.includes(`${stem}-${n}${suffix}`)) return `${stem}-${n}${suffix}`;
}

export function readImage(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error ?? new Error(l10n.t("the image could not be read")));
    reader.readAsDataURL(file);
  });
}
