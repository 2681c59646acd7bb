// Serves one Prometheus text file as /metrics, read afresh on every scrape: the textfile that
// `npm run status -- --prometheus FILE` writes, scraped as node-exporter's collector would serve it.
//   node metrics-server.js FILE PORT
const fs = require("fs");
const http = require("http");
const [file, port] = process.argv.slice(2);
http.createServer((req, res) => {
  let body;
  try { body = fs.readFileSync(file); } catch { res.writeHead(503); res.end(); return; }
  res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
  res.end(body);
}).listen(Number(port), "127.0.0.1");
