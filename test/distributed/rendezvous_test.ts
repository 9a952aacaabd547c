/** Where rank 0's side channel listens, from the hosts the ranks describe. */
import assert from "node:assert/strict";
import {
  chooseBindAddress,
  describeHost,
  type HostView,
  inSubnet,
} from "../../src/distributed/rendezvous.ts";

const view = (host: string, local: string, ...cidrs: [string, string][]): HostView => ({
  host,
  local,
  nets: cidrs.map(([name, cidr]) => ({ name, cidr })),
});

Deno.test("inSubnet compares the network bits only", () => {
  assert.equal(inSubnet("192.0.2.7/24", "192.0.2.200/24"), true);
  assert.equal(inSubnet("192.0.3.7/24", "192.0.2.1/24"), false);
  assert.equal(inSubnet("10.1.200.3/16", "10.1.0.0/16"), true);
  assert.equal(inSubnet("10.2.0.3/16", "10.1.0.0/16"), false);
  assert.equal(inSubnet("10.2.0.3/8", "10.1.0.0/8"), true);
  assert.equal(inSubnet("1.2.3.4/32", "1.2.3.4/32"), true);
  assert.equal(inSubnet("1.2.3.5/32", "1.2.3.4/32"), false);
  assert.equal(inSubnet("8.8.8.8/0", "1.2.3.4/0"), true);
  assert.equal(inSubnet("fd00::2/64", "fd00::1/64"), false, "IPv6 is not matched");
  assert.equal(inSubnet("300.1.1.1/24", "300.1.1.2/24"), false);
});

Deno.test("one host: loopback, whatever its interfaces", () => {
  const a = view("a", "k1", ["eth0", "192.0.2.11/24"]);
  assert.deepEqual(chooseBindAddress([a, a, a]), {
    bind: "127.0.0.1",
    connect: ["127.0.0.1"],
    why: "one host",
    wide: false,
  });
});

Deno.test("several hosts: rank 0's address on the subnet they share", () => {
  const a = view("a", "k1", ["docker0", "172.17.0.1/16"], ["eth0", "192.0.2.11/24"]);
  const b = view("b", "k2", ["eth0", "192.0.2.12/24"]);
  const c = view("c", "k3", ["ib0", "10.9.0.3/16"], ["eth1", "192.0.2.13/24"]);
  const got = chooseBindAddress([a, a, b, c]);
  assert.equal(got.bind, "192.0.2.11");
  assert.deepEqual(got.connect, ["192.0.2.11"]);
  assert.equal(got.wide, false);
});

Deno.test("SIMCLR_DIST_IFACE picks rank 0's address by name or CIDR; a missing one is an error", () => {
  const a = view("a", "k1", ["eth0", "192.0.2.11/24"], ["ib0", "10.9.0.1/16"]);
  const b = view("b", "k2", ["eth0", "192.0.2.12/24"], ["ib0", "10.9.0.2/16"]);
  assert.equal(chooseBindAddress([a, b], { iface: "ib0" }).bind, "10.9.0.1");
  assert.equal(chooseBindAddress([a, b], { iface: "10.9.0.0/16" }).bind, "10.9.0.1");
  assert.throws(
    () => chooseBindAddress([a, b], { iface: "eth7" }),
    /SIMCLR_DIST_IFACE=eth7: rank 0 \(host a\) has no IPv4 address on it \(it has eth0 192\.0\.2\.11\/24, ib0 10\.9\.0\.1\/16\)/,
  );
  // on one host, loopback all the same
  assert.equal(chooseBindAddress([a, a], { iface: "ib0" }).bind, "127.0.0.1");
});

Deno.test("SIMCLR_DIST_ADDR wins; no shared subnet listens widely and says how to narrow it", () => {
  const a = view("a", "k1", ["eth0", "192.0.2.11/24"], ["eth1", "198.51.100.1/24"]);
  const b = view("b", "k2", ["eth0", "203.0.113.5/24"]);
  assert.deepEqual(chooseBindAddress([a, b], { addr: "198.51.100.1" }).connect, ["198.51.100.1"]);
  const wide = chooseBindAddress([a, b]);
  assert.equal(wide.bind, "0.0.0.0");
  assert.equal(wide.wide, true);
  assert.deepEqual(wide.connect, ["192.0.2.11", "198.51.100.1"]);
  assert.match(wide.why, /SIMCLR_DIST_IFACE .* SIMCLR_DIST_ADDR/);
});

Deno.test("describeHost: this process's name, a network-stack key, no loopback", () => {
  const me = describeHost();
  assert.equal(me.host, Deno.hostname());
  assert.ok(me.local.length > 0);
  assert.equal(describeHost().local, me.local, "stable");
  for (const n of me.nets) {
    assert.match(n.cidr, /^\d+\.\d+\.\d+\.\d+\/\d+$/);
    assert.ok(!n.cidr.startsWith("127."));
  }
});
