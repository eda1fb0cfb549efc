// JSON over HTTP to /api: every failure is an ApiError carrying the server's error_id
// and message (docs/api.md), or error_id "network_error" when the server is unreachable.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.errorId = body?.error_id || (status === 0 ? "network_error" : "http_error");
    this.details = body?.details || {};
  }
}

let unauthorized = () => {};

/** Called with the error whenever a request other than the login answers 401. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

export async function api(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { Accept: "application/json" }
        : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, { error_id: "network_error", message: String(err?.message ?? err) });
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401 && path !== "/api/login") unauthorized(error);
    throw error;
  }
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const patch = (path, body) => api("PATCH", path, body);
