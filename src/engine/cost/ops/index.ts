// Importing this module registers every op family's cost function (same families as shapes/ops).
import './elementwise';
import './control';
import './tensor';
import './nn';
import './moe';
import './reduce';
import './norm';
import './recurrent';
import './misc';
