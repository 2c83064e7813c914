// Gitea and Forgejo comment as Gogs did: the shared call lives in the kit.
export { commentCall, commentInstruction, giteaApiBase, writeBack } from "../kit/gitea-style";
