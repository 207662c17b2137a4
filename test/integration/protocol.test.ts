// The protocol conformance suite (test/support/conformance.ts) on the app's own node:http server.
import { protocolConformance } from "../support/conformance.ts";
import { nodeHost } from "../support/hosts.ts";

protocolConformance(nodeHost);
