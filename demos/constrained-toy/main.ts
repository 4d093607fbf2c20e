/**
 * @file The constrained toy has no script of its own: the page is markup only. This module is
 * its one `<script type="module">`: it loads Rose Kit's elements, as a page would load the
 * bundle from a CDN.
 */
import '../../components/index.ts';
