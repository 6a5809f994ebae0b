// Registers the built-in specs and the mappers of both target kinds.
import './wafer';
import './gpu';
