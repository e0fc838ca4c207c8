// A replay's page: its video plays the on-demand playlist through the stage's player.
import { playAll } from "./stage-player.js";

playAll();
