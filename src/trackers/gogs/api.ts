// Gogs' issue comments API is the one Gitea and Forgejo kept: the shared call lives in the kit.
export { commentCall, commentInstruction, giteaApiBase as gogsApiBase, writeBack } from "../kit/gitea-style";
