// An independent implementation of Voice API v2 webhook signing (reference sinch-voice-v2.md §7),
// with Node's own `crypto` only, for svaml's tests: it shares no code with svaml.
//
// Reads a JSON object from stdin: {"sign": [request...], "verify": [request...]}, where a request is
// {url, body, contentType, timestamp, serviceId, secret} (+ {headers} to verify), and prints
// {"signed": [headers...], "verdicts": [true|false...]}.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

function stringToSign(request) {
  const body = Buffer.from(request.body ?? "", "utf8");
  const hasBody = body.length > 0;
  const contentMd5 = hasBody ? createHash("md5").update(body).digest("base64") : "";
  const contentType = hasBody ? request.contentType : "";
  // The path of the configured webhook URL: no scheme, host, query or fragment.
  const path = new URL(request.url, "https://placeholder.invalid").pathname;
  return ["POST", contentMd5, contentType, "x-timestamp:" + request.timestamp, path].join("\n");
}

function signature(request) {
  const key = Buffer.from(request.secret, "base64");
  return createHmac("sha256", key).update(stringToSign(request), "utf8").digest("base64");
}

function sign(request) {
  return {
    "x-timestamp": request.timestamp,
    Authorization: `service ${request.serviceId}:${signature(request)}`,
  };
}

function header(headers, name) {
  const found = Object.entries(headers).filter(([k]) => k.toLowerCase() === name);
  return found.length === 1 ? found[0][1] : undefined;
}

function verify(request) {
  const authorization = header(request.headers, "authorization");
  const timestamp = header(request.headers, "x-timestamp");
  if (authorization === undefined || timestamp === undefined) return false;
  const space = authorization.indexOf(" ");
  if (space < 0 || authorization.slice(0, space).toLowerCase() !== "service") return false;
  const credentials = authorization.slice(space + 1);
  const colon = credentials.lastIndexOf(":");
  if (colon < 0 || credentials.slice(0, colon) !== request.serviceId) return false;
  const received = Buffer.from(credentials.slice(colon + 1), "utf8");
  const contentType = header(request.headers, "content-type") ?? "";
  const expected = Buffer.from(signature({ ...request, timestamp, contentType }), "utf8");
  return received.length === expected.length && timingSafeEqual(received, expected);
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
process.stdout.write(
  JSON.stringify({
    signed: (input.sign ?? []).map(sign),
    verdicts: (input.verify ?? []).map(verify),
  }),
);
