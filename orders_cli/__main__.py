from orders_cli.cli.launch import main

raise SystemExit(main())
