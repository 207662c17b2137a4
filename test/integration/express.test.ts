// The protocol conformance suite (test/support/conformance.ts) through Express 5:
// app.use(weft.handler) and server.on("upgrade", weft.upgrade).
import { protocolConformance } from "../support/conformance.ts";
import { expressHost } from "../support/hosts.ts";

protocolConformance(expressHost);
