// Configuration of the nginx baseline of B6 (pure): a plain HTTP/1.1 reverse proxy in the
// waypoint's place (its pod netns), one process, keep-alive on both sides, so the hop
// costs what a mature L7 proxy needs for it. What it does per request is close to the
// waypoint's work: parse the request, add X-Forwarded-For and X-Request-Id, pick the
// upstream, relay the response, write one access-log line (buffered like the waypoint's
// logger: 8 KiB, flushed every 200 ms) unless access logs are off.

export interface NginxConfigOptions {
  /** Where nginx listens (the waypoint pod's IP) and on which port. */
  listen: { host: string; port: number };
  /** The HTTP server it proxies to. */
  upstream: { host: string; port: number };
  /** Directory for the pid file, temp paths and logs. */
  dir: string;
  accessLog: boolean;
}

/** Requests per keep-alive connection before nginx closes it (default 1000, which would cut the load generator's connections). */
export const NGINX_KEEPALIVE_REQUESTS = 100_000_000;

export function nginxConfig(o: NginxConfigOptions): string {
  const d = o.dir;
  return `daemon off;
master_process off;
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;

events {
  worker_connections 4096;
}

http {
  ${o.accessLog ? `access_log ${d}/access.log combined buffer=8k flush=200ms;` : 'access_log off;'}
  client_body_temp_path ${d}/client_body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
  keepalive_requests ${NGINX_KEEPALIVE_REQUESTS};
  keepalive_timeout 300s;
  tcp_nodelay on;

  upstream app {
    server ${o.upstream.host}:${o.upstream.port};
    keepalive 64;
    keepalive_requests ${NGINX_KEEPALIVE_REQUESTS};
    keepalive_timeout 300s;
  }

  server {
    listen ${o.listen.host}:${o.listen.port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Request-Id $request_id;
    }
  }
}
`;
}
