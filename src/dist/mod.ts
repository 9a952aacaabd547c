export * from "./communicator.ts";
export * from "./create.ts";
export * from "./shard.ts";
export * from "./flat.ts";
export * from "./config_hash.ts";
export { SingleCommunicator } from "./single.ts";
