/**
 * Test helper: serves the files of a folder over HTTP. Args: `<dir> <address>`. Prints
 * `LISTENING <port>`, then `GET <path> <status> <client address>` for each request.
 */
const [dir, hostname] = Deno.args;
Deno.serve({
  hostname,
  port: 0,
  onListen: ({ port }) => console.log(`LISTENING ${port}`),
}, async (req, info) => {
  const path = new URL(req.url).pathname;
  const client = (info.remoteAddr as Deno.NetAddr).hostname;
  try {
    const file = await Deno.open(`${dir}/${path.replace(/^\/+/, "")}`);
    console.log(`GET ${path} 200 ${client}`);
    return new Response(file.readable);
  } catch {
    console.log(`GET ${path} 404 ${client}`);
    return new Response("not found\n", { status: 404 });
  }
});
